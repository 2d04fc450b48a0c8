// A big value through a manager proxy costs about its size, as through a Pipe: a 50 MiB string
// and a 50 MiB Buffer set in a dict from a child process, read back there and here, arrive whole.
// (Reassembling a frame by joining each socket read to what came before made this quadratic: a
// 32 MiB value took half a minute, a 50 MiB one never arrived.) The bound is the Pipe's own time on
// the same machine at the same moment: the manager's round (6 crossings of each value against the
// Pipe's 2) within 10 times it. A fixed 60 s measured the load as well: beside a full test run on
// 2 busy cores the Pipe alone took 45 s.

import { Pipe } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { killProcesses, startProcess } from './core.js';
import { managerTestKit } from './manager-kit.js';

const { tasks, bigValues } = await import(new URL('./fixtures/shared-ref-tasks.mjs', import.meta.url).href);

const { manager } = managerTestKit();
afterEach(killProcesses);

const MIB = 50;
/** A hang guard only: what the test checks is the ratio to the Pipe's time. */
const HANG_MS = 300_000;
/** How many times the Pipe's time the manager's round may take. */
const RATIO = 10;

/** Sends the values through a Pipe from a child process, checks them; resolves to the time taken. */
async function throughPipe(): Promise<number> {
  const started = performance.now();
  const [a, b] = Pipe();
  const p = startProcess('process', tasks.bigToPipe, [b, MIB]);
  const { text, bytes } = bigValues(MIB);
  expect((await a.recv()) === text).toBe(true);
  expect(Buffer.compare((await a.recv()) as Buffer, bytes)).toBe(0);
  await p.join();
  expect(p.exitCode).toBe(0);
  a.close();
  b.close();
  return performance.now() - started;
}
let pipeMs: number | undefined;

describe(`${MIB} MiB values from a child process`, () => {
  it('through a Pipe (the yardstick)', { timeout: HANG_MS }, async () => {
    pipeMs = await throughPipe();
  });

  it('through a manager dict: set and read back there, read here', { timeout: HANG_MS }, async () => {
    pipeMs ??= await throughPipe();
    const m = await manager();
    const d = m.dict();
    const started = performance.now();
    const p = startProcess('process', tasks.bigToDict, [d, MIB]);
    await p.join();
    expect(p.exitCode).toBe(0);
    const { text, bytes } = bigValues(MIB);
    const [gotText, gotBytes] = [(await d.get('text')) as string, (await d.get('bytes')) as Buffer];
    expect(gotText.length).toBe(text.length);
    expect(gotText === text).toBe(true);
    expect(Buffer.isBuffer(gotBytes)).toBe(true);
    expect(Buffer.compare(gotBytes, bytes)).toBe(0);
    expect(performance.now() - started).toBeLessThan(RATIO * pipeMs);
  });
});
