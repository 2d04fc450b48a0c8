// A manager Lock taken again and again by one thread or process is leased to it (lock caching,
// client-lease.ts and served-lease.ts): these tests hold leases to a plain Lock's semantics with
// real threads and processes (mutual exclusion, timeouts, locked(), owner death, a manager gone,
// a release by another holder).
import { LockError, Manager, Queue } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { core } from './core.js';
import { isSettled, managerTestKit } from './manager-kit.js';

const { tasks } = await import(new URL('./fixtures/lease-tasks.mjs', import.meta.url).href);

const { cleanup, manager, start } = managerTestKit();

// Each increment hands the lock between processes: CI runs 500 each (latency, not CPU, bounds it
// on a loaded machine), `npm run test:full` (see vitest.shared.ts) 2000.
const INCREMENTS = process.env.MULTIPROC_TESTS === 'full' ? 2000 : 500;

/** A Queue closed after the test. */
function queue<T>(): Queue<T> {
  const q = new Queue<T>();
  cleanup.push(() => q.close());
  return q;
}

/** Pairs in this thread until an acquire is settled at once (leased here); that one holds it. */
async function takeLease(lock: ReturnType<Manager['Lock']>): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const p = lock.acquire();
    const local = await isSettled(p);
    await p;
    if (local) return;
    await lock.release();
  }
  throw new Error('The lock was never leased to this thread.');
}

describe.each(matrix(import.meta.url))('a leased manager Lock (%s)', (context) => {
  it(`keeps 3 x ${INCREMENTS} read-then-write increments exact`, { timeout: 120_000 }, async () => {
    const m = await manager();
    const lock = m.Lock();
    const value = m.Value('i', 0);
    const ps = [0, 1, 2].map(() => start(tasks.increments, [lock, value, INCREMENTS], context));
    for (const p of ps) await p.join();
    expect(ps.map((p) => p.exitCode)).toEqual([0, 0, 0]);
    expect(await value.get()).toBe(3 * INCREMENTS);
  });

  it('is handed back when another asks while its holder idles', { timeout: 20_000 }, async () => {
    const m = await manager();
    const lock = m.Lock();
    const [said, go] = [queue<string>(), queue<string>()];
    const p = start(tasks.leaseThenWait, [lock, false, said, go], context);
    expect(await said.get()).toBe('leased, free');
    expect(await lock.locked()).toBe(false);
    expect(await lock.acquire({ timeout: 10_000 })).toBe(true);
    await lock.release();
    await go.put('again');
    await p.join();
    expect(p.exitCode).toBe(0);
  });

  it('times a remote acquire out while its holder keeps it, then grants it after the release', {
    timeout: 20_000,
  }, async () => {
    const m = await manager();
    const lock = m.Lock();
    const [said, go] = [queue<string>(), queue<string>()];
    const p = start(tasks.leaseThenWait, [lock, true, said, go], context);
    expect(await said.get()).toBe('leased, held');
    expect(await lock.acquire({ timeout: 50 })).toBe(false);
    expect(await lock.acquire({ block: false })).toBe(false);
    const waiting = lock.acquire({ timeout: 10_000 });
    await go.put('release');
    expect(await waiting).toBe(true);
    await lock.release();
    await p.join();
    expect(p.exitCode).toBe(0);
  });

  it('answers locked() from another thread or process in every lease state', {
    timeout: 20_000,
  }, async () => {
    const m = await manager();
    const lock = m.Lock();
    expect(await lock.locked()).toBe(false); // never taken
    const [said, go] = [queue<string>(), queue<string>()];
    const held = start(tasks.leaseThenWait, [lock, true, said, go], context);
    expect(await said.get()).toBe('leased, held');
    expect(await lock.locked()).toBe(true); // leased and held there: the lease comes back as a hold
    expect(await lock.locked()).toBe(true); // an ordinary hold now
    await go.put('release');
    await held.join();
    expect(await lock.locked()).toBe(false); // released (its last acquire and release were its own)
    const free = start(tasks.leaseThenWait, [lock, false, said, go], context);
    expect(await said.get()).toBe('leased, free');
    expect(await lock.locked()).toBe(false); // leased, not held: the lease comes back
    await go.put('end');
    await free.join();
    expect(await lock.locked()).toBe(false);
  });

  it('lets a waiter proceed when its holder is killed holding it', { timeout: 20_000 }, async () => {
    const m = await manager();
    const lock = m.Lock();
    const said = queue<string>();
    const p = start(tasks.leaseThenHang, [lock, true, said], context);
    expect(await said.get()).toBe('leased');
    const waiting = lock.acquire({ timeout: 15_000 });
    expect(await isSettled(waiting)).toBe(false);
    p.kill();
    expect(await waiting).toBe(true);
    await lock.release();
  });

  it('releases a lease whose holder is killed holding it before anyone asked', {
    timeout: 20_000,
  }, async () => {
    const m = await manager();
    const lock = m.Lock();
    const said = queue<string>();
    const p = start(tasks.leaseThenHang, [lock, true, said], context);
    expect(await said.get()).toBe('leased');
    p.kill();
    await p.join();
    expect(await lock.acquire({ timeout: 15_000 })).toBe(true);
    await lock.release();
  });

  it('lets the next acquirer proceed when a holder that only leased it is killed', {
    timeout: 20_000,
  }, async () => {
    const m = await manager();
    const lock = m.Lock();
    const said = queue<string>();
    const p = start(tasks.leaseThenHang, [lock, false, said], context);
    expect(await said.get()).toBe('leased');
    p.kill();
    expect(await lock.acquire({ timeout: 15_000 })).toBe(true);
    expect(await lock.locked()).toBe(true);
    await lock.release();
    expect(await lock.locked()).toBe(false);
  });

  it('rejects acquires with ManagerClosedError after a shutdown, and never grants one after', {
    timeout: 20_000,
  }, async () => {
    const m = await Manager.start();
    cleanup.push(() => m.shutdown());
    const lock = m.Lock();
    const [said, go] = [queue<string>(), queue<number>()];
    const pool = new core.Pool({ processes: 1, context });
    cleanup.push(() => pool.terminate());
    const outcomes = pool.apply(tasks.leaseUntilGone, [lock, said, go]);
    expect(await said.get()).toBe('leased');
    await m.shutdown();
    await go.put(1);
    // Local acquires may succeed until the child reads that its socket closed; none after.
    expect(await outcomes).toEqual([
      'MP_MANAGER_CLOSED',
      'MP_MANAGER_CLOSED',
      'MP_MANAGER_CLOSED',
      'MP_MANAGER_CLOSED',
    ]);
  });

  it('is given back by a pool worker at the end of its task', { timeout: 20_000 }, async () => {
    const m = await manager();
    const lock = m.Lock();
    const pool = new core.Pool({ processes: 1, context });
    cleanup.push(() => pool.terminate());
    expect(await pool.apply(tasks.leaseAndReturn, [lock])).toBe(true);
    // The worker is idle now (a thread worker's loop does not run between tasks).
    expect(await lock.acquire({ timeout: 10_000 })).toBe(true);
    await lock.release();
  });

  it('lets another holder release it, as Python Lock does', { timeout: 20_000 }, async () => {
    const m = await manager();
    const lock = m.Lock();
    const [said, go] = [queue<string>(), queue<string>()];
    const free = start(tasks.leaseThenWait, [lock, false, said, go], context);
    expect(await said.get()).toBe('leased, free');
    await expect(lock.release()).rejects.toMatchObject({ code: 'MP_LOCK' }); // not held anywhere
    await go.put('end');
    await free.join();
    const held = start(tasks.leaseThenWait, [lock, true, said, go], context);
    expect(await said.get()).toBe('leased, held');
    await lock.release(); // held there: any holder may release a plain Lock
    expect(await lock.locked()).toBe(false);
    expect(await lock.acquire({ block: false })).toBe(true);
    await lock.release();
    await go.put('end');
    await held.join();
  });
});

describe('a leased manager Lock in one thread', () => {
  it('makes a second acquire in the same thread wait for the release', { timeout: 10_000 }, async () => {
    const m = await manager();
    const lock = m.Lock();
    await takeLease(lock);
    expect(await lock.locked()).toBe(true);
    expect(await lock.acquire({ block: false })).toBe(false);
    const second = lock.acquire({ timeout: 5000 });
    expect(await isSettled(second)).toBe(false);
    await lock.release();
    expect(await second).toBe(true);
    await lock.release();
    expect(await lock.locked()).toBe(false);
  });

  it('throws LockError at once for a release of a free leased lock', { timeout: 10_000 }, async () => {
    const m = await manager();
    const lock = m.Lock();
    await takeLease(lock);
    await lock.release();
    let err: unknown;
    try {
      void lock.release(); // leased here and free: nobody else can hold it, so known here
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LockError);
    expect(err).toMatchObject({ code: 'MP_LOCK' });
    expect(await lock.acquire({ block: false })).toBe(true); // the lease still works
    await lock.release();
  });

  it('gives a lease back when a Condition takes the lock', { timeout: 10_000 }, async () => {
    const m = await manager();
    const lock = m.Lock();
    await takeLease(lock);
    const cond = m.Condition(lock);
    await expect(cond.notify()).resolves.toBeUndefined(); // held here: the lease came back as a hold
    await lock.release();
    expect(await cond.acquire({ block: false })).toBe(true);
    expect(await lock.locked()).toBe(true);
    await cond.release();
  });
});
