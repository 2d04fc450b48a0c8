// A manager's answer to a client that already ended must not cost what that client wrote before
// it ended. The server writes to a connection whose other end closed (EPIPE); handing those bytes
// on to the socket's stream made Node destroy the socket, and what the client wrote last, still
// unread in the server's kernel buffer, was dropped: its last writes, and its "ends normally",
// so a plain Lock it held was released as if it had failed.
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { managerTestKit } from './manager-kit.js';

const { tasks } = await import(new URL('./fixtures/client-ended-tasks.mjs', import.meta.url).href);
const kit = managerTestKit();

// 16 KiB values: more than one read of the manager's socket (64 KiB), less than the kernel holds.
const SETS = 8;

/** Blocks this thread (no event loop turn) until `done()` or `ms` passed. */
function blockUntil(done: () => boolean, ms: number): void {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  const until = Date.now() + ms;
  while (!done() && Date.now() < until) Atomics.wait(cell, 0, 0, 10);
}

describe.each(matrix(import.meta.url))('a manager client that ended before it was read (%s)', (context) => {
  // The manager (this thread) does not run while the worker asks, writes and ends: it reads the
  // worker's frames after the worker closed its end, answers the question in the first read
  // (EPIPE), and must read the rest all the same.
  it('keeps its last writes and its normal end when the manager answers it first', {
    timeout: 30_000,
  }, async () => {
    const m = await kit.manager();
    const lock = m.Lock();
    const value = m.Value('i', 7);
    const d = m.dict<string, unknown>();
    const stem = join(tmpdir(), `mp-client-ended-${process.pid}-${Date.now()}`);
    const [ready, go, ended] = [`${stem}-ready`, `${stem}-go`, `${stem}-ended`];
    kit.cleanup.push(() => {
      for (const f of [ready, go, ended]) rmSync(f, { force: true });
    });
    const p = kit.start(tasks.holdWriteAndEnd, [lock, value, d, SETS, ready, go, ended], context);
    for (let i = 0; i < 2000 && !existsSync(ready); i++)
      await new Promise((resolve) => setTimeout(resolve, 10));
    writeFileSync(go, '');
    blockUntil(() => existsSync(ended), 20_000);
    blockUntil(() => false, 300); // its end closes its socket
    expect(existsSync(ended)).toBe(true);
    await p.join();
    expect(p.exitCode).toBe(0);
    // Every set it made, and its normal end: a plain Lock it held stays held (Python), not
    // released as by a failure.
    expect({ keys: (await d.keys()).length, locked: await lock.locked() }).toEqual({
      keys: SETS + 1,
      locked: true,
    });
  });
});
