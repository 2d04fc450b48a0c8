// Manager (Python's SyncManager) with its proxies in real Processes and pool tasks of both
// contexts: the Python docs' examples, mutual exclusion, a manager that is gone, owner death.
import {
  BrokenBarrierError,
  LockError,
  Manager,
  ManagerClosedError,
  Queue,
  ValidationError,
} from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { core } from './core.js';
import { managerTestKit } from './manager-kit.js';

const { tasks } = await import(new URL('./fixtures/manager-tasks.mjs', import.meta.url).href);

const { cleanup, manager, start } = managerTestKit();

// Python's repr of what the docs example prints.
const pyRepr = (v: unknown): string =>
  v === null
    ? 'None'
    : typeof v === 'string'
      ? `'${v}'`
      : v instanceof Map
        ? `{${[...v].map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`).join(', ')}}`
        : Array.isArray(v)
          ? `[${v.map(pyRepr).join(', ')}]`
          : String(v);

describe.each(matrix(import.meta.url))('Manager proxies in a Process (%s)', (context) => {
  it('the Python docs example: dict and list', { timeout: 20_000 }, async () => {
    const m = await manager();
    const d = m.dict();
    const l = m.list(Array.from({ length: 10 }, (_, i) => i));
    const p = start(tasks.docsDictList, [d, l], context);
    await p.join();
    expect(p.exitCode).toBe(0);
    expect(pyRepr(await d.copy())).toBe("{1: '1', '2': 2, 0.25: None}");
    expect(pyRepr(await l.copy())).toBe('[9, 8, 7, 6, 5, 4, 3, 2, 1, 0]');
  });

  it('the Python docs example: Value and Array; and Namespace', { timeout: 20_000 }, async () => {
    const m = await manager();
    const num = m.Value('d', 0.0);
    const arr = m.Array(
      'i',
      Array.from({ length: 10 }, (_, i) => i),
    );
    const ns = m.Namespace();
    const p = start(tasks.docsValueArray, [num, arr], context);
    const q = start(
      tasks.namespace,
      [{ nested: [ns] }].map((x) => x.nested[0]),
      context,
    );
    await Promise.all([p.join(), q.join()]);
    // biome-ignore lint/suspicious/noApproximativeNumericConstant: the Python docs' value
    expect(await num.get()).toBe(3.1415927);
    expect(pyRepr(await arr.copy())).toBe('[0, -1, -2, -3, -4, -5, -6, -7, -8, -9]');
    expect(await ns.copy()).toEqual({ x: 10, y: 'hello' });
  });

  it('Array slice() and setSlice() read and write a run in one call each', { timeout: 20_000 }, async () => {
    const m = await manager();
    const arr = m.Array('i', [0, 1, 2, 3, 4, 5]);
    const p = start(tasks.negateSlice, [arr, 1, 4], context);
    await p.join();
    expect(p.exitCode).toBe(0);
    expect(await arr.copy()).toEqual([0, -1, -2, -3, 4, 5]);
    expect(await arr.slice(-2)).toEqual([4, 5]);
    await expect(arr.setSlice(5, [1, 2])).rejects.toBeInstanceOf(ValidationError);
    await expect(arr.setSlice(0, [2 ** 40])).rejects.toBeInstanceOf(ValidationError);
    expect(await arr.copy()).toEqual([0, -1, -2, -3, 4, 5]);
  });

  it('a Lock keeps a read-modify-write exact across workers', { timeout: 30_000 }, async () => {
    const m = await manager();
    const lock = m.Lock();
    const v = m.Value('i', 0);
    const ps = [0, 1, 2].map(() => start(tasks.increment, [lock, v, 30], context));
    await Promise.all(ps.map((p) => p.join()));
    expect(ps.map((p) => p.exitCode)).toEqual([0, 0, 0]);
    expect(await v.get()).toBe(90);
  });

  it('a pool task gets proxies nested in its arguments', { timeout: 30_000 }, async () => {
    const m = await manager();
    const lock = m.RLock();
    const v = m.Value('i', 0);
    const pool = new core.Pool({ processes: 2, context });
    cleanup.push(() => pool.terminate());
    const done = await pool.starmap(tasks.increment, [
      [lock, v, 5],
      [lock, v, 5],
      [lock, v, 5],
    ]);
    expect(done).toEqual([5, 5, 5]);
    expect(await v.get()).toBe(15);
  });

  it('a process killed while holding a Lock or Semaphore releases it', { timeout: 20_000 }, async () => {
    const m = await manager();
    // Side by side: each case waits for a child process to start, which a loaded machine stretches.
    await Promise.all(
      [m.Lock(), m.BoundedSemaphore(1)].map(async (prim) => {
        const said = new Queue<string>();
        const p = start(tasks.holdForever, [prim, said], context);
        expect(await said.get()).toBe('held');
        expect(await prim.acquire({ block: false })).toBe(false);
        p.kill();
        expect(await prim.acquire(10_000)).toBe(true);
        await prim.release();
      }),
    );
  });

  it('a permit another released for a killed holder is not given back twice (a BoundedSemaphore never throws past its bound)', {
    timeout: 20_000,
  }, async () => {
    const m = await manager();
    for (const [sem, bounded] of [
      [m.BoundedSemaphore(1), true],
      [m.Semaphore(1), false],
    ] as const) {
      const said = new Queue<string>();
      const p = start(tasks.holdForever, [sem, said], context);
      expect(await said.get()).toBe('held');
      await sem.release(); // anyone may release (Python): the holder's permit is back
      p.kill();
      await p.join();
      // Its end released nothing more: the manager did not throw, the value is still 1.
      expect(await sem.acquire({ block: false })).toBe(true);
      expect(await sem.acquire({ block: false })).toBe(false);
      await sem.release();
      if (bounded) await expect(sem.release()).rejects.toBeInstanceOf(LockError);
    }
  });

  it('a party that dies at a Barrier breaks it for the others', { timeout: 20_000 }, async () => {
    const m = await manager();
    const bar = m.Barrier(3);
    const mine = bar.wait();
    mine.catch(() => {});
    const said = new Queue<string>();
    const p = start(tasks.waitAtBarrier, [bar, said], context);
    expect(await said.get()).toBe('waiting');
    while ((await bar.state()).nWaiting < 2); // each check is a round trip to the manager
    p.kill();
    await expect(mine).rejects.toBeInstanceOf(BrokenBarrierError);
    expect((await bar.state()).broken).toBe(true);
  });

  it('a proxy whose manager shut down rejects with ManagerClosedError', { timeout: 20_000 }, async () => {
    const m = await Manager.start();
    const ev = m.Event();
    const said = new Queue<string>();
    const p = start(tasks.waitEvent, [ev, said], context);
    expect(await said.get()).toBe('waiting');
    const mine = ev.wait();
    await m.shutdown();
    await expect(mine).rejects.toBeInstanceOf(ManagerClosedError);
    expect(await said.get()).toBe('ManagerClosedError MP_MANAGER_CLOSED');
    await expect(ev.isSet()).rejects.toMatchObject({ code: 'MP_MANAGER_CLOSED' });
    await p.join();
  });
});

describe('Manager', () => {
  it('a JoinableQueue feeds workers; join() waits for every taskDone()', { timeout: 20_000 }, async () => {
    const m = await manager();
    const q = m.JoinableQueue<number | null>();
    const out = m.Queue<number>();
    start(tasks.consume, [q, out], 'process');
    for (const n of [1, 2, 3]) await q.put(n);
    await q.put(null);
    await q.join();
    expect([await out.get(), await out.get(), await out.get()]).toEqual([2, 4, 6]);
    await expect(out.get({ block: false })).rejects.toMatchObject({ name: 'QueueEmptyError' });
  });

  it('Condition, Event, Semaphore and RLock behave as the thread primitives', async () => {
    const m = await manager();
    const cond = m.Condition(m.Lock());
    await expect(cond.notify()).rejects.toBeInstanceOf(LockError);
    await cond.acquire();
    expect(await cond.wait(20)).toBe(false);
    await cond.release();
    const ev = m.Event();
    expect(await ev.wait(10)).toBe(false);
    await ev.set();
    expect(await ev.isSet()).toBe(true);
    const sem = m.BoundedSemaphore(2);
    expect(() => sem.release()).toThrow(LockError); // at its bound, never sent: known here
    const r = m.RLock();
    expect(await r.acquire()).toBe(true);
    expect(await r.acquire()).toBe(true);
    await r.release();
    await r.release();
    expect(() => r.release()).toThrow(LockError); // not held by this thread: known here
  });

  it('Condition.waitFor() without the lock rejects with LockError before asking the predicate', async () => {
    const m = await manager();
    for (const cond of [m.Condition(), m.Condition(m.Lock())]) {
      let asked = 0;
      const predicate = () => ++asked > 0; // true at once: Python's wait_for would return it unchecked
      for (const timeout of [undefined, 0, 20]) {
        await expect(cond.waitFor(predicate, timeout)).rejects.toBeInstanceOf(LockError);
      }
      expect(asked).toBe(0);
      await cond.acquire();
      expect(await cond.waitFor(predicate, 0)).toBe(true); // held: as before
      await cond.release();
    }
  });

  it('reads are copies: mutating one does not write back', async () => {
    const m = await manager();
    const d = m.dict<string, number[]>({ k: [1] });
    const v = (await d.get('k'))!;
    v.push(2);
    expect(await d.get('k')).toEqual([1]);
    for await (const k of d) expect(k).toBe('k');
  });

  it('bad arguments are ValidationErrors at the call', async () => {
    const m = await manager();
    expect(() => m.Value('x' as never, 1 as never)).toThrow(ValidationError);
    expect(() => m.Semaphore(-1)).toThrow(ValidationError);
    expect(() => m.Barrier(0)).toThrow(ValidationError);
    await expect(m.Lock().acquire(true as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(m.list([1]).get(5)).rejects.toBeInstanceOf(ValidationError);
  });
});
