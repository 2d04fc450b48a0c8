// A manager started again at the same address (Python's _TestManagerRestart): new clients reach
// the new one, also from a program or pool worker whose connection to the old one is cached; a
// proxy of the old one rejects with ManagerClosedError and never reaches the new one's objects.
import { type Address, BaseManager, ManagerClosedError } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { core } from './core.js';

const { tasks } = await import(new URL('./fixtures/restart-tasks.mjs', import.meta.url).href);

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

function counter(start = 0) {
  let n = start;
  return { incr: () => ++n, get: () => n };
}

async function serve(address: Address): Promise<BaseManager> {
  const m = new BaseManager({ address, authkey: 'restart' });
  m.register('counter', counter);
  await m.start();
  cleanup.push(() => m.shutdown());
  return m;
}

async function connectAndCount(address: Address, start: number): Promise<unknown> {
  return tasks.connectAndCount(address, 'restart', start);
}

describe('a manager started again at the same address', () => {
  it('a new BaseManager().connect() in the serving program reaches the new one', {
    timeout: 20_000,
  }, async () => {
    // A pool makes the old connection's close arrive after the restart (as the finding's repro).
    const pool = new core.Pool({ processes: 1, context: 'process' });
    cleanup.push(() => pool.terminate());
    const first = await serve(['127.0.0.1', 0]);
    const address = first.address;
    expect(await connectAndCount(address, 1)).toBe(2);
    await first.shutdown();
    await serve(address);
    expect(await connectAndCount(address, 5)).toBe(6);
    expect(await connectAndCount(address, 7)).toBe(8);
  });

  it('a proxy of the old one rejects with ManagerClosedError, never reading the new one’s object', {
    timeout: 20_000,
  }, async () => {
    const first = await serve(['127.0.0.1', 0]);
    const address = first.address;
    const old = await first.create<ReturnType<typeof counter>>('counter', 5);
    expect(await old.get()).toBe(5);
    await first.shutdown();
    await expect(old.get()).rejects.toBeInstanceOf(ManagerClosedError);
    const second = await serve(address);
    const fresh = await second.create<ReturnType<typeof counter>>('counter', 100); // the same id as `old`
    expect(await fresh.get()).toBe(100);
    await expect(old.get()).rejects.toBeInstanceOf(ManagerClosedError);
    await expect(old.incr()).rejects.toBeInstanceOf(ManagerClosedError);
    expect(await fresh.get()).toBe(100);
  });
});

describe.each(matrix(import.meta.url))('a manager started again, used from a pool worker (%s)', (context) => {
  it('the worker that connected before connects to the new one; old proxies reject there', {
    timeout: 30_000,
  }, async () => {
    const pool = new core.Pool({ processes: 1, context });
    cleanup.push(() => pool.terminate());
    const first = await serve(['127.0.0.1', 0]);
    const address = first.address;
    const old = await first.create('counter', 5);
    expect(await pool.apply(tasks.connectAndCount, [address, 'restart', 1])).toBe(2);
    expect(await pool.apply(tasks.read, [old])).toBe(5);
    await first.shutdown();
    const second = await serve(address);
    const fresh = await second.create('counter', 100);
    expect(await pool.apply(tasks.connectAndCount, [address, 'restart', 10])).toBe(11);
    expect(await pool.apply(tasks.read, [fresh])).toBe(100);
    expect(await pool.apply(tasks.read, [old])).toBe('ManagerClosedError');
  });
});
