// A manager dict's set() (and the other writes whose Python result is None) resolves once sent,
// not once applied: these tests hold it to Python's guarantees with real threads and processes.
// A write signalled to another client on another channel is what that client then reads; a
// write the manager refuses is reported (warning, and the next call rejects), never lost.

import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, ValidationError } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { core } from './core.js';
import { managerTestKit } from './manager-kit.js';

const { tasks } = await import(new URL('./fixtures/write-tasks.mjs', import.meta.url).href);

/**
 * Freezes this thread (the manager's) until a byte comes on the FIFO `fd`, or 10 s: nothing of
 * the manager runs meanwhile, as when its machine is busy, and the event loop does not poll.
 */
function frozenUntilTold(fd: number): void {
  const deadline = Date.now() + 10_000;
  const nap = new Int32Array(new SharedArrayBuffer(4));
  while (Date.now() < deadline) {
    try {
      if (readSync(fd, Buffer.alloc(1)) === 1) return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
    }
    Atomics.wait(nap, 0, 0, 1);
  }
  throw new Error('The reader did not say it had read within 10 s.');
}

/** A new FIFO's path and this side's descriptor of it (read and write, non-blocking). */
function fifo(name: string): [string, number] {
  const dir = mkdtempSync(join(tmpdir(), 'mp-write-'));
  const path = join(dir, name);
  execFileSync('mkfifo', [path]);
  const fd = openSync(path, constants.O_RDWR | constants.O_NONBLOCK);
  cleanup.push(() => {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  });
  return [path, fd];
}

const { cleanup, manager } = managerTestKit();

describe.each(matrix(import.meta.url))('pipelined writes (%s)', (context) => {
  it('a set signalled on another channel is seen by the other client, every round', {
    timeout: 30_000,
  }, async () => {
    const m = await manager();
    const d = m.dict<string, number>();
    const say = new Queue<unknown>();
    const pool = new core.Pool({ processes: 2, context });
    cleanup.push(() => pool.terminate());
    const [go, goFd] = fifo('go');
    const [told, toldFd] = fifo('told');
    const rounds = 20;
    const reader = pool.apply(tasks.readAfterSignal, [d, m.dict(), say, go, told, rounds]);
    const writer = pool.apply(tasks.setThenSignal, [d, await say.get(), rounds]);
    expect(await say.get()).toBe('ready');
    for (let i = 0; i < rounds; i++) {
      writeSync(goFd, 'g');
      frozenUntilTold(toldFd); // the reader's call, the writer's set, then the read: all unread
      expect(await say.get()).toBe('done');
    }
    const results = await reader;
    await writer;
    expect(results).toEqual(Array(rounds).fill('ok'));
  });

  it('a write the manager refuses warns, rejects the next call, then the proxy works on', {
    timeout: 20_000,
  }, async () => {
    const m = await manager();
    const d = m.dict<string, unknown>();
    const pool = new core.Pool({ processes: 1, context });
    cleanup.push(() => pool.terminate());
    const r = await pool.apply(tasks.refusedWrite, [d]);
    expect(r.bad).toEqual(['ok', undefined]); // pipelined: resolved once sent
    expect(r.dropped).toEqual(['ok', undefined]);
    expect(r.next[0]).toBe('SerializationError');
    expect(r.next[1]).toMatch(/earlier set\(\).*test\.LocalOnly/s);
    expect(r.warning).toEqual(['ManagerWarning', 'MP_LATE_WRITE']);
    expect(r.again).toEqual(['ok', 1]); // reported once
    expect(await d.copy()).toEqual(new Map([['first', 1]])); // the refused write and the one after it: not applied
  });
});

describe('pipelined writes in one thread', () => {
  it('later calls see earlier writes; bad arguments reject at the call', { timeout: 10_000 }, async () => {
    const m = await manager();
    const d = m.dict<string, number>();
    const l = m.list<number>();
    const ns = m.Namespace();
    await d.set('a', 0); // registers this thread as a writer
    const writes = [d.set('a', 1), d.update([['b', 2]]), d.update({ c: 3 }), l.append(1), l.extend([2, 3])];
    await Promise.all([...writes, ns.set('x', 1)]);
    expect(await d.copy()).toEqual(
      new Map([
        ['a', 1],
        ['b', 2],
        ['c', 3],
      ]),
    );
    expect(await l.copy()).toEqual([1, 2, 3]);
    expect(await ns.get('x')).toBe(1);
    await expect(d.set('f', (() => 1) as never)).rejects.toMatchObject({ code: 'MP_SERIALIZATION' });
    await expect(d.update('ab' as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(d.update([['a']] as never)).rejects.toBeInstanceOf(ValidationError);
    expect(await d.len()).toBe(3);
  });
});
