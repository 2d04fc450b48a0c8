// Waits on the way in and out of a worker that cost wall time without doing work (issue #18),
// checked by ordering, never by timings: a thread Process that printed nothing ends without its
// parent's event loop turning (it used to wait for an ack of an empty write), and a process pool
// whose first task went to the first worker ready (not behind an empty start-up batch) still
// joins or terminates cleanly while its other child is starting.
import { Process } from '@multiproc/core';
import { afterEach, expect, it, vi } from 'vitest';
import { tasks } from './fixtures/end-waits-tasks.mjs';
import { runProgram } from './helpers.ts';

const started: Process[] = [];
afterEach(async () => {
  for (const p of started.splice(0)) if (p.isAlive()) await p.terminate();
});

it('a thread Process whose target printed nothing exits while its parent thread is blocked', async () => {
  const flags = new Int32Array(new SharedArrayBuffer(12));
  const p = new Process({ target: tasks.ranThenExit, args: [flags.buffer], context: 'thread' });
  started.push(p);
  p.start();
  // The event loop stays free until the target runs.
  await vi.waitFor(() => expect(Atomics.load(flags, 0)).toBe(1), { timeout: 10_000, interval: 2 });
  // From here this thread is blocked: the worker must return, flush and exit on its own.
  Atomics.store(flags, 1, 1);
  Atomics.notify(flags, 1);
  expect(Atomics.wait(flags, 2, 0, 10_000)).not.toBe('timed-out');
  await p.join();
  expect(p.exitCode).toBe(0);
}, 30_000);

it('a process pool closed and joined, or terminated, right after its first answer ends cleanly, its second child starting or not', async () => {
  const { stdout, stderr, code } = await runProgram('end-waits.mjs', ['2'], {}, 50_000);
  expect(stderr).toBe('');
  expect(stdout.split('\n').filter(Boolean)).toEqual(
    [0, 1].flatMap((i) => [`round ${i} ok joined`, `round ${i} ok terminated`]),
  );
  // Not 13: terminate() and join() kept the program alive until they settled.
  expect(code).toBe(0);
}, 60_000);
