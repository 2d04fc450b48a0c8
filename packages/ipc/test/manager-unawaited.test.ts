// A proxy call made without `await` (Python's calls are synchronous, and code ported from it
// reads `lst.append(x)`) reaches the manager before the task's result or the Process's end is
// reported: a pool worker's event loop stops between tasks, and a Process ends, so nothing sent
// later may be left to "some time after". Reading right after `apply()` or `join()` sees it.

import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { core } from './core.js';
import { managerTestKit } from './manager-kit.js';

const { tasks } = await import(new URL('./fixtures/unawaited-tasks.mjs', import.meta.url).href);
const { cleanup, manager, start } = managerTestKit();

describe.each(matrix(import.meta.url))('un-awaited proxy calls (%s)', (context) => {
  it("a pool task's calls are applied when apply() resolves, on a fresh connection and after", {
    timeout: 30_000,
  }, async () => {
    const m = await manager();
    const pool = new core.Pool({ processes: 1, context });
    cleanup.push(() => pool.terminate());
    // Round 0 connects the worker to the manager; round 1 registers new objects as written;
    // round 2 pipelines (QUIET frames) to objects already registered.
    const [l, d, ns] = [m.list<number>(), m.dict<string, number>(), m.Namespace()];
    for (let round = 0; round < 3; round++) {
      const list = round === 1 ? m.list<number>() : l;
      const ev = m.Event();
      await pool.apply(tasks.writeUnawaited, [list, d, ns, ev, round]);
      expect(await list.get(-1)).toBe(round);
      expect(await d.get('k')).toBe(round);
      expect(await ns.get('x')).toBe(round);
      expect(await ev.isSet()).toBe(true);
    }
    const lock = m.Lock();
    await pool.apply(tasks.releaseUnawaited, [lock]);
    expect(await lock.locked()).toBe(false);
  });

  it("a Process's calls are applied when join() resolves", { timeout: 30_000 }, async () => {
    const m = await manager();
    const [l, d, ns, ev] = [m.list<number>(), m.dict<string, number>(), m.Namespace(), m.Event()];
    const p = start(tasks.writeUnawaited, [l, d, ns, ev, 7], context);
    await p.join();
    expect(p.exitCode).toBe(0);
    expect(await l.copy()).toEqual([7]);
    expect(await d.get('k')).toBe(7);
    expect(await ns.get('x')).toBe(7);
    expect(await ev.isSet()).toBe(true);
  });

  it('a call made right before process.exit(), with no connection to the manager yet, is applied', {
    timeout: 30_000,
  }, async () => {
    const m = await manager();
    const l = m.list<number>();
    for (let round = 0; round < 3; round++) {
      const p = start(tasks.appendThenExit, [l, round], context);
      await p.join();
      expect(p.exitCode).toBe(0);
    }
    expect(await l.copy()).toEqual([0, 1, 2]);
    // A pool worker that exits mid-task crashes that call, but what it sent before still arrives.
    const pool = new core.Pool({ processes: 1, context });
    cleanup.push(() => pool.terminate());
    const err = await pool.apply(tasks.appendThenExit, [l, 3]).catch((e: unknown) => e);
    expect((err as Error).name).toBe('WorkerCrashedError');
    expect(await l.copy()).toEqual([0, 1, 2, 3]);
  });
  it('a Process that exits right after more pipelined writes than the socket buffers: all arrive, its lock stays held', {
    timeout: 60_000,
  }, async () => {
    const m = await manager();
    const [lock, d] = [m.Lock(), m.dict<string, string>()];
    const size = 1 << 20;
    const p = start(tasks.holdWriteBigThenExit, [lock, d, size], context);
    await p.join();
    expect(p.exitCode).toBe(0);
    for (let i = 0; i < 8; i++) expect((await d.get(`k${i}`))?.length).toBe(size + 1);
    // It ended normally: its plain Lock stays taken, for this program to release (Python's rule).
    expect(await lock.locked()).toBe(true);
    await lock.release();
  });
});
