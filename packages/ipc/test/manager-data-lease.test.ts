// A manager dict used again and again by one thread or process is leased to it with a replica
// (client-data-lease.ts, served-data-lease.ts): these tests hold leased dicts to a manager dict's
// semantics with real threads and processes (exact read-modify-writes under a Lock, revokes while
// the holder idles, writes seen elsewhere, durability at a SIGKILL, a manager gone, proxy values).
import { Manager, Queue } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { core } from './core.js';
import { isSettled, managerTestKit } from './manager-kit.js';

const { tasks } = await import(new URL('./fixtures/data-lease-tasks.mjs', import.meta.url).href);

const { cleanup, manager, start } = managerTestKit();

/** A Queue closed after the test. */
function queue<T>(): Queue<T> {
  const q = new Queue<T>();
  cleanup.push(() => q.close());
  return q;
}

describe('a leased manager dict in this thread', () => {
  it('answers reads here once leased, and copies what it reads', { timeout: 20_000 }, async () => {
    const m = await manager();
    const d = m.dict<string, { n: number[] } | number>();
    let local = 0;
    for (let i = 0; i < 20; i++) {
      await d.set('k', { n: [i] });
      const p = d.get('k');
      if (await isSettled(p)) local++;
      const v = (await p) as { n: number[] };
      expect(v).toEqual({ n: [i] });
      v.n.push(99); // a copy: the dict keeps what was set
    }
    expect(local).toBeGreaterThan(10);
    expect(await d.get('k')).toEqual({ n: [19] });
    expect(await d.callMethod('get', 'k')).toEqual({ n: [19] }); // by name: the replica too
    expect(await d.pop('k')).toEqual({ n: [19] });
    // A method the replica lacks: the lease goes back, and the manager refuses it as before.
    await expect(d.callMethod('nosuch')).rejects.toBeInstanceOf(TypeError);
    expect(await d.len()).toBe(0);
  });
});

// CI runs 300 each (the lock changes hands between processes each time), `npm run test:full` 1000.
const WRITES = process.env.MULTIPROC_TESTS === 'full' ? 1000 : 300;

describe.each(matrix(import.meta.url))('a leased manager dict (%s)', (context) => {
  it(`keeps 3 x ${WRITES} read-modify-writes under a manager Lock exact`, { timeout: 120_000 }, async () => {
    const m = await manager();
    const lock = m.Lock();
    const d = m.dict<string, number>();
    const ps = [0, 1, 2].map(() => start(tasks.increments, [lock, d, 'n', WRITES], context));
    for (const p of ps) await p.join();
    expect(ps.map((p) => p.exitCode)).toEqual([0, 0, 0]);
    expect(await d.get('n')).toBe(3 * WRITES);
  });

  it('is revoked while its holder idles; each side reads the other side last write', {
    timeout: 20_000,
  }, async () => {
    const m = await manager();
    const d = m.dict<string, string>();
    const [said, go] = [queue<string>(), queue<string>()];
    const p = start(tasks.leaseThenWait, [d, 'k', 'from the holder', said, go], context);
    expect(await said.get()).toBe('leased');
    expect(await d.get('k')).toBe('from the holder');
    await d.set('k', 'from here');
    await go.put('read');
    await p.join();
    expect(p.exitCode).toBe(0);
    expect(await d.get('k')).toBe('from here');
  });

  it('keeps a proxy-valued entry readable (no lease while one is there)', { timeout: 20_000 }, async () => {
    const m = await manager();
    const d = m.dict<string, unknown>();
    await d.set('inner', m.dict([['x', 1]]));
    const pool = new core.Pool({ processes: 1, context });
    cleanup.push(() => pool.terminate());
    expect(await pool.apply(tasks.readProxy, [d, 'inner'])).toEqual([false, 1]);
  });
});

describe('a leased manager dict whose holder or manager ends', () => {
  it('has every write its holder made before a SIGKILL', { timeout: 20_000 }, async () => {
    for (let round = 0; round < 3; round++) {
      const m = await manager();
      const d = m.dict<string, number | string | boolean>([['gone', 'soon']]);
      const p = start(tasks.leaseSetKill, [d, 'k', round + 1], 'process');
      await p.join();
      expect(p.exitCode).not.toBe(0);
      expect(await d.get('k')).toBe(round + 1);
      expect(await d.has('gone')).toBe(false);
      expect(await d.get('leased')).toBe(true);
    }
  });

  it('rejects reads with ManagerClosedError after a shutdown, never answering one after', {
    timeout: 30_000,
  }, async () => {
    const m = await Manager.start();
    cleanup.push(() => m.shutdown());
    const d = m.dict<string, number>([['k', 1]]);
    const [said, go] = [queue<string>(), queue<string>()];
    const p = start(tasks.leaseUntilGone, [d, said, go], 'process');
    expect(await said.get()).toBe('leased');
    await m.shutdown();
    await go.put('go');
    expect(await said.get()).toEqual(Array(4).fill('MP_MANAGER_CLOSED'));
    await p.join();
    expect(p.exitCode).toBe(0);
  });
});
