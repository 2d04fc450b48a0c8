// What each way of getting a manager returns (Python: `multiprocessing.Manager()` is a started
// SyncManager, usable at once and with `with`; `SyncManager()` is not started until `start()`).
import { ClosedError, Manager, ManagerClosedError, SyncManager, ValidationError } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { core } from './core.js';

const managers: SyncManager[] = [];
afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.shutdown()));
});
const kept = <M extends SyncManager>(m: M): M => {
  managers.push(m);
  return m;
};

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
  });

  it('of both contexts returns a started SyncManager too', { timeout: 10_000 }, async () => {
    for (const name of ['thread', 'process']) {
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
    for (const context of ['thread', 'process']) {
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
    expect(() => m.dict()).toThrow(ClosedError);
    await m.start();
    expect(await serves(m)).toBe(true);
  });
});
