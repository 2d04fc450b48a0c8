/** Bad input to the locks, events, conditions, barriers and channels of `@multiproc/shared`. */
import {
  Barrier,
  BoundedSemaphore,
  ByteChannel,
  Condition,
  Event,
  Lock,
  RLock,
  Semaphore,
} from '@multiproc/shared';
import { lockWorks } from './helpers.js';
import { assert, type Case } from './types.js';

export const sharedSyncCases: Case[] = [
  {
    api: 'lock.release()',
    input: 'releasing a Lock nobody holds',
    expect: 'LockError',
    says: 'acquire()',
    setup: () => new Lock(),
    run: (l) => l.release(),
    next: lockWorks,
  },
  {
    api: 'rlock.release()',
    input: 'releasing an RLock nobody holds',
    expect: 'LockError',
    setup: () => new RLock(),
    run: (l) => l.release(),
    next: lockWorks,
  },
  {
    api: 'new BoundedSemaphore(1).release()',
    input: 'releasing past the initial value',
    expect: 'LockError',
    says: 'exceed',
    setup: () => new BoundedSemaphore(1),
    run: (s) => s.release(),
    next: lockWorks,
  },
  {
    api: 'sem.release(0)',
    input: 'a non-positive count',
    expect: 'ValidationError',
    says: 'positive',
    setup: () => new Semaphore(1),
    run: (s) => s.release(0),
    next: lockWorks,
  },
  {
    api: 'new Semaphore(-1)',
    input: 'a negative value',
    expect: 'ValidationError',
    says: '0 to',
    run: () => new Semaphore(-1),
  },
  {
    api: 'lock.acquire(false)',
    input: "Python's positional block=False",
    expect: 'ValidationError',
    says: 'block: false',
    async: true,
    setup: () => new Lock(),
    run: (l) => l.acquire(false as never),
    next: lockWorks,
  },
  {
    api: 'lock.acquire({ block: false, timeout })',
    input: 'a NaN timeout with block: false (checked, then ignored, as in Python)',
    expect: 'ValidationError',
    says: 'milliseconds',
    async: true,
    setup: () => new Lock(),
    run: (l) => l.acquire({ block: false, timeout: Number.NaN }),
    next: lockWorks,
  },
  {
    api: 'lock.acquire(true, 0.5)',
    input: 'Python positional args (block, seconds)',
    expect: 'ValidationError',
    says: 'timeout',
    async: true,
    setup: () => new Lock(),
    run: (l) => (l.acquire as (...a: unknown[]) => unknown)(true, 0.5),
    next: lockWorks,
  },
  {
    api: 'lock.acquire(100)',
    input: 'a timeout in ms (valid)',
    expect: 'works',
    async: true,
    setup: () => new Lock(),
    run: async (l) => {
      const ok = await l.acquire(100);
      l.release();
      return ok;
    },
    check: (ok) => assert(ok === true, 'acquired'),
  },
  {
    api: 'lock.acquireSync({ timeout: -1 })',
    input: "a negative timeout (valid: as in Python's multiprocessing, it tries once)",
    expect: 'works',
    setup: () => new Lock(),
    run: (l) => {
      const first = l.acquireSync({ timeout: -1 });
      const second = l.acquireSync({ timeout: -1 });
      if (first) l.release();
      return [first, second];
    },
    check: ([first, second]) => assert(first === true && second === false, `got ${first}, ${second}`),
    next: lockWorks,
  },
  {
    api: 'lock.acquireSync(0.5)',
    input: 'a fraction of a millisecond on a held lock (valid: waits that long, then false)',
    expect: 'works',
    setup: () => new Lock(),
    run: (l) => {
      l.acquireSync();
      const got = l.acquireSync(0.5);
      l.release();
      return got;
    },
    check: (got) => assert(got === false, `got ${got}`),
    next: lockWorks,
  },
  {
    api: 'lock.acquire({ timout: 5 })',
    input: 'a misspelt option',
    expect: 'ValidationError',
    says: 'timout',
    async: true,
    setup: () => new Lock(),
    run: (l) => l.acquire({ timout: 5 } as never),
    next: lockWorks,
  },
  {
    api: 'event.wait(NaN)',
    input: 'NaN timeout',
    expect: 'ValidationError',
    says: 'NaN',
    async: true,
    setup: () => new Event(),
    run: (e) => e.wait(Number.NaN),
    next: (e) => {
      e.set();
      return e.wait(1);
    },
  },
  {
    api: 'event.is_set()',
    input: "Python's spelling",
    expect: 'ValidationError',
    says: 'isSet()',
    setup: () => new Event(),
    run: (e) => e.is_set(),
    next: (e) => e.isSet(),
  },
  {
    api: 'new Condition({})',
    input: 'not a Lock or RLock',
    expect: 'ValidationError',
    says: 'Lock',
    run: () => new Condition({} as never),
  },
  {
    api: 'cond.wait()',
    input: 'waiting without holding the lock',
    expect: 'LockError',
    says: 'lock held',
    async: true,
    setup: () => new Condition(),
    run: (c) => c.wait(10),
    next: async (c) => {
      await c.acquire();
      c.notify();
      c.release();
    },
  },
  {
    api: 'cond.notify()',
    input: 'notifying without holding the lock',
    expect: 'LockError',
    says: 'lock held',
    setup: () => new Condition(),
    run: (c) => c.notify(),
    next: async (c) => {
      await c.acquire();
      c.notifyAll();
      c.release();
    },
  },
  {
    api: 'cond.wait_for(p)',
    input: "Python's spelling",
    expect: 'ValidationError',
    says: 'waitFor()',
    setup: () => new Condition(),
    run: (c) => c.wait_for(() => true),
  },
  {
    api: 'lock.withLock(5)',
    input: 'a critical section that is not a function',
    expect: 'ValidationError',
    says: 'function',
    async: true,
    setup: () => new Lock(),
    run: (l) => l.withLock(5 as never),
    next: lockWorks,
  },
  {
    api: 'cond.waitForSync(async () => false)',
    input: 'an async predicate in a blocking wait (a Promise is truthy)',
    expect: 'ValidationError',
    says: 'waitFor(predicate)',
    setup: () => {
      const c = new Condition();
      c.acquireSync();
      return c;
    },
    run: (c) => c.waitForSync(async () => false, 1000),
    next: (c) => c.release(),
  },
  {
    api: 'bar.waitSync()',
    input: 'an action that returns a Promise, which a blocking wait cannot await',
    expect: 'ValidationError',
    says: 'wait()',
    setup: () => new Barrier(1, { action: async () => undefined }),
    run: (b) => b.waitSync(),
    next: async (b) => {
      assert(b.broken, 'the barrier broke');
      b.reset();
      await b.wait();
    },
  },
  {
    api: 'new Barrier(0)',
    input: 'zero parties',
    expect: 'ValidationError',
    says: '1 to 65535',
    run: () => new Barrier(0),
  },
  {
    api: "bar.wait('1s')",
    input: 'a timeout as a string',
    expect: 'ValidationError',
    says: 'Barrier.wait()',
    async: true,
    setup: () => new Barrier(1),
    run: (b) => b.wait('1s' as never),
    next: (b) => b.wait(),
  },
  {
    api: 'bar.n_waiting',
    input: "Python's spelling",
    expect: 'ValidationError',
    says: 'nWaiting',
    setup: () => new Barrier(2),
    run: (b) => b.n_waiting,
  },
  {
    api: 'new ByteChannel({ capacity: 0 })',
    input: 'a zero capacity',
    expect: 'ValidationError',
    says: 'capacity',
    run: () => new ByteChannel({ capacity: 0 }),
  },
  {
    api: "ch.tryWrite('text')",
    input: 'a string, not bytes',
    expect: 'ValidationError',
    says: 'Uint8Array',
    setup: () => new ByteChannel({ capacity: 64 }),
    run: (c) => c.tryWrite('text' as never),
    next: (c) => assert(c.tryWrite(Uint8Array.of(1)), 'write'),
  },
  {
    api: 'ch.tryWrite(65 bytes)',
    input: 'a message over the capacity',
    expect: 'ValidationError',
    says: 'capacity',
    setup: () => new ByteChannel({ capacity: 64 }),
    run: (c) => c.tryWrite(new Uint8Array(65)),
    next: (c) => assert(c.tryWrite(Uint8Array.of(1)), 'write'),
  },
  {
    api: 'ch.read(0.5)',
    input: 'a fraction of a millisecond, nothing to read (waits that long)',
    expect: 'TimeoutError',
    async: true,
    setup: () => new ByteChannel({ capacity: 64 }),
    run: (c) => c.read(0.5),
    next: (c) => assert(c.tryWrite(Uint8Array.of(1)), 'write'),
  },
  {
    api: 'ch.readSync(5)',
    input: 'a timeout as a number of ms, nothing to read',
    expect: 'TimeoutError',
    setup: () => new ByteChannel({ capacity: 64 }),
    run: (c) => c.readSync(5),
    next: (c) => assert(c.tryWrite(Uint8Array.of(1)) && c.readSync(5)?.length === 1, 'write then read'),
  },
  {
    api: 'ch.write(bytes, { timout: 5 })',
    input: 'a misspelt option',
    expect: 'ValidationError',
    says: 'timout',
    async: true,
    setup: () => new ByteChannel({ capacity: 64 }),
    run: (c) => c.write(Uint8Array.of(1), { timout: 5 } as never),
    next: (c) => c.write(Uint8Array.of(1), 100),
  },
];
