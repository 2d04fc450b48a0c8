// Cases of CPython's Lib/test/_test_multiprocessing.py that cpython-port-29 leaves out, for
// managers and initializers: TestInitializers, _TestRemoteManager, _TestManagerRestart,
// _TestMyManager, TestManagerExceptions and MiscTestCase.test_large_pool, ported to this API
// (camelCase, Promises, milliseconds). Python's manager runs a server process; this one serves
// from the program that starts it, so "the manager's process" below is this program.
import mp, {
  BaseManager,
  Manager,
  Pool,
  Queue,
  QueueEmptyError,
  SerializationError,
  SyncManager,
  ValidationError,
} from '@multiproc/multiproc';
import { describe, expect, it } from 'vitest';
import { CONTEXTS, FooBar, type FooBarProxy, processesKilledAfterEach } from './cpython-kit.ts';
import { managers } from './fixtures/cpython-port-39-tasks.mjs';
import { tasks } from './fixtures/tasks.mjs';

const { killAfterTest } = processesKilledAfterEach();

type Ns = { get(k: string): Promise<number>; set(k: string, v: number): Promise<void> };

describe('TestInitializers', () => {
  it('test_manager_initializer: start(1) is refused; start(initializer, [ns]) runs it once first', {
    timeout: 20_000,
  }, async () => {
    await using mgr = Manager();
    const ns = mgr.Namespace() as unknown as Ns;
    await ns.set('test', 0);
    const m = new SyncManager();
    await expect(m.start(1 as never)).rejects.toBeInstanceOf(ValidationError); // Python: TypeError
    await m.start(managers.countRun, [ns]);
    expect(await ns.get('test')).toBe(1);
    await m.shutdown();
  });

  it.each(CONTEXTS)(
    'test_pool_initializer (%s): a bad initializer is refused; a pool of one runs it once',
    {
      timeout: 30_000,
    },
    async (context) => {
      await using mgr = Manager();
      const ns = mgr.Namespace() as unknown as Ns;
      await ns.set('test', 0);
      expect(() => new Pool({ initializer: 1 as never, context })).toThrow(ValidationError);
      const p = new Pool({ processes: 1, initializer: managers.countRun, initargs: [ns], context });
      try {
        p.close();
        await p.join();
      } finally {
        await p.terminate();
      }
      expect(await ns.get('test')).toBe(1);
    },
  );
});

const VALUES = [
  'hello world',
  null,
  true,
  2.25,
  'hallå världen',
  'привіт світ',
  new TextEncoder().encode('hallå'),
];

/** Python's `QueueManager`: serves one queue, made here, as `getQueue`. */
function queueManager(address: [string, number], authkey: string): { manager: BaseManager; queue: Queue } {
  const queue = new Queue();
  const manager = new BaseManager({ address, authkey });
  manager.register('getQueue', () => queue);
  return { manager, queue };
}

describe.each(CONTEXTS)('_TestRemoteManager and _TestManagerRestart, %s workers', (context) => {
  it('test_remote: a worker puts through a second manager that knows the typeid by name only', {
    timeout: 30_000,
  }, async () => {
    const authkey = `key-${Math.random()}`;
    const { manager, queue } = queueManager(['127.0.0.1', 0], authkey);
    const address = await manager.start();
    try {
      const p = new mp.Process({
        target: managers.putter,
        args: [address, authkey, VALUES],
        context,
        daemon: true,
      });
      killAfterTest(p);
      p.start();
      const manager2 = new BaseManager({ address, authkey });
      manager2.register('getQueue');
      await manager2.connect();
      const remote = await manager2.create<{ get(): Promise<unknown>; put(v: unknown): Promise<void> }>(
        'getQueue',
      );
      expect(await remote.get()).toEqual(VALUES);
      // Python: xmlrpclib cannot serialize a function; here structured clone cannot
      await expect(remote.put(() => 1)).rejects.toBeInstanceOf(SerializationError);
      await p.join(20_000);
      expect(p.exitCode).toBe(0);
      expect(queue.empty()).toBe(true);
      await manager2.shutdown();
    } finally {
      await manager.shutdown();
      queue.close();
    }
  });

  it('test_rapid_restart: a manager starts again at the address of one just shut down', {
    timeout: 30_000,
  }, async () => {
    const authkey = `key-${Math.random()}`;
    const first = queueManager(['127.0.0.1', 0], authkey);
    const address = (await first.manager.start()) as [string, number];
    try {
      const p = new mp.Process({
        target: managers.putter,
        args: [address, authkey, ['hello world']],
        context,
      });
      killAfterTest(p);
      p.start();
      await p.join(20_000);
      expect(p.exitCode).toBe(0);
      const q = await first.manager.create<{ get(): Promise<unknown> }>('getQueue');
      expect(await q.get()).toEqual(['hello world']);
    } finally {
      await first.manager.shutdown();
      first.queue.close();
    }
    const second = queueManager(address, authkey);
    try {
      expect(await second.manager.start()).toEqual(address);
      const q = await second.manager.create<{ qsize(): Promise<number> }>('getQueue');
      expect(await q.qsize()).toBe(0);
    } finally {
      await second.manager.shutdown();
      second.queue.close();
    }
  });
});

describe('_TestMyManager', () => {
  it('test_mymanager: public methods by default, the exposed ones when listed; errors come back', {
    timeout: 20_000,
  }, async () => {
    const manager = new BaseManager();
    manager.register('Foo', FooBar);
    manager.register('Bar', FooBar, { exposed: ['f', '_h'] });
    await manager.start();
    try {
      const foo = (await manager.create('Foo')) as unknown as FooBarProxy;
      const bar = (await manager.create('Bar')) as unknown as FooBarProxy;
      expect(await foo.f()).toBe('f()');
      await expect(foo.g()).rejects.toMatchObject({ name: 'RangeError', message: 'g' });
      expect(await foo.callMethod('f')).toBe('f()');
      await expect(foo.callMethod('_h')).rejects.toBeInstanceOf(Error); // Python: RemoteError
      expect(await bar.f()).toBe('f()');
      expect(await bar._h()).toBe('_h()');
      expect(await bar.callMethod('_h')).toBe('_h()');
      await expect(bar.g()).rejects.toBeInstanceOf(Error); // not exposed
    } finally {
      await manager.shutdown();
    }
  });
});

describe('TestManagerExceptions', () => {
  it('test_queue_get: getNowait() of an empty manager Queue rejects with QueueEmptyError', {
    timeout: 20_000,
  }, async () => {
    await using mgr = Manager();
    const q = mgr.Queue();
    await expect(q.getNowait()).rejects.toBeInstanceOf(QueueEmptyError);
    await q.put(1);
    expect(await q.getNowait()).toBe(1);
  });
});

describe('MiscTestCase.test_large_pool (threads: a process each would take too long here)', () => {
  it('a pool of 32 workers maps 1000 items, and Node warns of nothing (no listener leak)', {
    timeout: 60_000,
  }, async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      await using pool = new Pool({ processes: 32 });
      const squares = await pool.map(
        tasks.square,
        Array.from({ length: 1000 }, (_, i) => i),
      );
      expect(squares.reduce((a, b) => a + b, 0)).toBe(332_833_500);
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.map((w) => `${w.name}: ${w.message}`)).toEqual([]);
  });
});
