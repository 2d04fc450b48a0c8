// terminate(), kill() and interrupt() of a Process that was never started did nothing, silently:
// a program whose start() was never reached (an early return, a throw) "stopped" a process that
// never ran and went on. Python raises there (its `_popen` is None), as join() does before start()
// here: each now fails with ProcessError saying to call start() first, the Process stays usable
// (it still starts), and after close() each fails with ClosedError as before. One short worker.
import { ClosedError, Process, ProcessError } from '@multiproc/core';
import { expect, it } from 'vitest';
import { tasks } from './fixtures/interrupt-tasks.ts';

/** What `f` threw, or what the promise it returned rejected with (`'ok'` when neither). */
async function failure(f: () => unknown): Promise<unknown> {
  try {
    await f();
    return 'ok';
  } catch (error) {
    return error;
  }
}

it('terminate(), kill() and interrupt() before start() fail with ProcessError; the process still starts', async () => {
  const p = new Process({ target: tasks.done });
  const stops: [string, () => unknown][] = [
    ['terminate()', () => p.terminate()],
    ['kill()', () => p.kill()],
    ['interrupt()', () => p.interrupt()],
    ['join()', () => p.join()],
  ];
  for (const [name, stop] of stops) {
    const err = await failure(stop);
    expect(err, name).toBeInstanceOf(ProcessError);
    expect(err, name).not.toBeInstanceOf(ClosedError);
    expect((err as Error).message, name).toMatch(/start\(\)/);
  }
  // terminate() returns a Promise: it rejects, never throws synchronously (CONTRACT.md Pool rule).
  const pending = p.terminate();
  expect(pending).toBeInstanceOf(Promise);
  await pending.catch(() => {});
  expect([p.exitCode, p.isAlive(), p.pid]).toEqual([null, false, null]);
  p.start();
  await p.join();
  expect(p.exitCode).toBe(0);
  // Once it has ended they do nothing, as in Python.
  await p.terminate();
  p.kill();
  p.interrupt();
  expect(p.exitCode).toBe(0);
  p.close();
  for (const [name, stop] of stops) expect(await failure(stop), name).toBeInstanceOf(ClosedError);
});

it('a Process closed without ever starting fails every stop with ClosedError', async () => {
  const p = new Process({ target: tasks.done });
  p.close();
  expect(await failure(() => p.terminate())).toBeInstanceOf(ClosedError);
  expect(await failure(() => p.kill())).toBeInstanceOf(ClosedError);
  expect(await failure(() => p.interrupt())).toBeInstanceOf(ClosedError);
});
