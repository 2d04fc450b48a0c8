// What each way of getting a manager returns (Python: `multiprocessing.Manager()` is a started
// SyncManager, usable at once and with `with`; `SyncManager()` is not started until `start()`).
import {
  BaseManager,
  ClosedError,
  Manager,
  ManagerClosedError,
  ProcessError,
  SyncManager,
  ValidationError,
} from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { core } from './core.js';
import { keptManagers } from './managers-kept.js';

const kept = keptManagers();

/** Whether `m` serves at once: a dict made and written through it. */
async function serves(m: SyncManager): Promise<boolean> {
  const d = m.dict<string, number>();
  await d.set('a', 1);
  return (await d.get('a')) === 1;
}

describe('Manager()', () => {
  it('returns a started SyncManager, usable at once, called or with new', { timeout: 10_000 }, async () => {
    const called = kept(Manager());
    const constructed = kept(new Manager());
    for (const m of [called, constructed]) {
      expect(m).toBeInstanceOf(SyncManager);
      expect(m).toBeInstanceOf(Manager);
      expect(await serves(m)).toBe(true);
    }
    expect(called.address).not.toBe(constructed.address);
    // Starting it again is refused (Python: ProcessError), naming why: it came started.
    const again = await called.start().catch((e: unknown) => e);
    expect(again).toBeInstanceOf(ProcessError);
    expect(again).not.toBeInstanceOf(ClosedError);
    expect((again as Error).message).toMatch(
      /start\(\): the manager is serving: .*Manager\(\) returns it started/,
    );
  });

  it('of both contexts returns a started SyncManager too', { timeout: 10_000 }, async () => {
    for (const name of matrix(import.meta.url)) {
      const ctx = core.getContext(name);
      for (const m of [kept(ctx.Manager()), kept(new ctx.Manager())]) {
        expect(m, name).toBeInstanceOf(SyncManager);
        expect(await serves(m), name).toBe(true);
      }
    }
  });

  it('is shut down at the end of an await using block: its proxies then reject', {
    timeout: 10_000,
  }, async () => {
    let lock: ReturnType<SyncManager['Lock']>;
    {
      await using m = Manager();
      lock = m.Lock();
      expect(await lock.acquire()).toBe(true);
      await lock.release();
    }
    await expect(lock.acquire()).rejects.toBeInstanceOf(ManagerClosedError);
  });

  it('serves its proxies to a worker of each context', { timeout: 30_000 }, async () => {
    const m = kept(Manager());
    const { tasks } = await import(new URL('./fixtures/manager-tasks.mjs', import.meta.url).href);
    for (const context of matrix(import.meta.url)) {
      const d = m.dict();
      const l = m.list(Array.from({ length: 10 }, (_, i) => i));
      const p = new core.Process({ target: tasks.docsDictList, args: [d, l], context });
      p.start();
      await p.join(20_000);
      expect(p.exitCode, context).toBe(0);
      expect((await l.copy())[0], context).toBe(9);
    }
  });

  it('refuses a [host, port] address with ValidationError (that one is bound by SyncManager.start)', () => {
    expect(() => Manager({ address: ['127.0.0.1', 0] })).toThrow(ValidationError);
  });
});

describe('new SyncManager()', () => {
  it('is not started, as in Python: objects come only after start()', { timeout: 10_000 }, async () => {
    const m = kept(new SyncManager());
    expect(() => m.dict()).toThrow(ProcessError);
    expect(() => m.dict()).not.toThrow(ClosedError);
    await m.start();
    expect(await serves(m)).toBe(true);
  });
});

// CPython's test_manager_initializer: `m.start(1)` raises TypeError; `m.start(initializer, (ns,))`
// runs the initializer before the manager serves.
describe('SyncManager.start(initializer, initargs)', () => {
  it('runs the initializer with its arguments, once, before serving', { timeout: 10_000 }, async () => {
    const other = kept(Manager());
    const ns = other.Namespace();
    await ns.set('test', 0);
    const seen: unknown[] = [];
    const m = kept(new SyncManager());
    await m.start(
      async (n: typeof ns, tag: string) => {
        try {
          seen.push(tag, m.address);
        } catch (error) {
          seen.push(tag, (error as Error).name);
        }
        await n.set('test', 1);
      },
      [ns, 'init'],
    );
    expect(seen).toEqual(['init', 'ProcessError']); // not serving yet (not a ClosedError)
    expect(await ns.get('test')).toBe(1);
    expect(await serves(m)).toBe(true);
  });

  it('refuses what is not a function or an array, and serves nothing when the initializer throws', {
    timeout: 10_000,
  }, async () => {
    const m = kept(new SyncManager());
    await expect(m.start(1 as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(m.start(() => {}, 'x' as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(m.start(null)).resolves.toBeDefined();
    const failing = kept(new SyncManager());
    await expect(failing.start(() => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(() => failing.address).toThrow(ProcessError); // not started: nothing served
  });
});

// CPython's _TestMyManager (`list(baz) == [i*i for i in range(10)]`, an AutoProxy of a generator)
// and TestSyncManagerTypes.test_array (`list(arr) == [0, 1]`).
describe('for await over manager proxies', () => {
  it('iterates an AutoProxy of a served generator, and an Array proxy', { timeout: 10_000 }, async () => {
    const m = new BaseManager();
    m.register('baz', function* () {
      for (let i = 0; i < 10; i++) yield i * i;
    });
    await m.start();
    try {
      const baz = await m.create('baz');
      const got: unknown[] = [];
      for await (const v of baz as unknown as AsyncIterable<number>) got.push(v);
      expect(got).toEqual([0, 1, 4, 9, 16, 25, 36, 49, 64, 81]);
    } finally {
      await m.shutdown();
    }
    const sm = kept(Manager());
    const arr = sm.Array('i', [0, 1]);
    const items: number[] = [];
    for await (const v of arr) items.push(v);
    expect(items).toEqual([0, 1]);
  });
});
