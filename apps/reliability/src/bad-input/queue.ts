/** Bad input to the queues of `@multiproc/ipc`: timeouts, closed queues, unsendable values, schemas. */
import { JoinableQueue, Queue, SimpleQueue } from '@multiproc/ipc';
import { z } from 'zod';
import { Account, circular, queue, queueWorks } from './helpers.js';
import { assert, type Case } from './types.js';

export const queueCases: Case[] = [
  {
    api: 'new Queue({ maxsize: 1.5 })',
    input: 'a fractional maxsize',
    expect: 'ValidationError',
    says: 'maxsize',
    run: () => new Queue({ maxsize: 1.5 }),
  },
  {
    api: 'new Queue({ maxSize: 2 })',
    input: 'a misspelt option',
    expect: 'ValidationError',
    says: 'maxSize',
    run: () => new Queue({ maxSize: 2 } as never),
  },
  {
    api: 'q.get(true, 0.5)',
    input: "Python's positional (block, seconds)",
    expect: 'ValidationError',
    says: 'block: false',
    async: true,
    setup: queue,
    run: (q) => q.get(true, 0.5),
    next: queueWorks,
  },
  {
    api: 'q.get(0.5)',
    input: 'a fraction of a millisecond on an empty queue (waits that long)',
    expect: 'QueueEmptyError',
    async: true,
    setup: queue,
    run: (q) => q.get(0.5),
    next: queueWorks,
  },
  {
    api: 'q.get({ timeout: -1 })',
    input: "a negative timeout on an empty queue (as in Python's multiprocessing, it does not wait)",
    expect: 'QueueEmptyError',
    async: true,
    setup: queue,
    run: (q) => q.get({ timeout: -1 }),
    next: queueWorks,
  },
  {
    api: 'q.get(10)',
    input: 'an empty queue, 10 ms',
    expect: 'QueueEmptyError',
    async: true,
    setup: queue,
    run: (q) => q.get(10),
    next: queueWorks,
  },
  {
    api: 'q.put(v, false)',
    input: "Python's positional block=False",
    expect: 'ValidationError',
    says: 'block: false',
    async: true,
    setup: queue,
    run: (q) => q.put(1, false as never),
    next: queueWorks,
  },
  {
    api: 'q.put_nowait(v)',
    input: "Python's spelling",
    expect: 'ValidationError',
    says: 'putNowait()',
    setup: queue,
    run: (q) => q.put_nowait(1),
    next: queueWorks,
  },
  {
    api: 'q.putNowait(v) on a full queue',
    input: 'maxsize reached',
    expect: 'QueueFullError',
    setup: () => {
      const q = new Queue({ maxsize: 1 });
      q.putNowait(1);
      return q;
    },
    run: (q) => q.putNowait(2),
    next: async (q) => assert((await q.get()) === 1, 'the first item is kept'),
  },
  {
    api: 'q.put(() => 1)',
    input: 'a function',
    expect: 'SerializationError',
    says: 'value',
    async: true,
    setup: queue,
    run: (q) => q.put(() => 1),
    next: queueWorks,
  },
  {
    api: 'q.put(Symbol())',
    input: 'a symbol',
    expect: 'SerializationError',
    says: 'symbol',
    async: true,
    setup: queue,
    run: (q) => q.put(Symbol('s')),
    next: queueWorks,
  },
  {
    api: 'q.put(new WeakMap())',
    input: 'a WeakMap',
    expect: 'SerializationError',
    says: 'WeakMap',
    async: true,
    setup: queue,
    run: (q) => q.put({ cache: new WeakMap() }),
    next: queueWorks,
  },
  {
    api: 'q.put(new Account())',
    input: 'a class instance with methods (valid: it arrives as its fields, as a structured clone copies it)',
    expect: 'works',
    async: true,
    setup: queue,
    run: async (q) => {
      await q.put(new Account());
      return q.get(1000);
    },
    check: (v) =>
      assert(
        Object.getPrototypeOf(v) === Object.prototype && v.balance === 0,
        'a plain object with its fields',
      ),
  },
  {
    api: 'q.put(circular)',
    input: 'a circular structure (valid: structured clone keeps cycles)',
    expect: 'works',
    async: true,
    setup: queue,
    run: async (q) => {
      await q.put(circular());
      return q.get(1000);
    },
    check: (v) => assert(v.self === v && v.name === 'loop', 'the cycle survived'),
  },
  {
    api: 'q.put(v) after q.close()',
    input: 'a closed queue',
    expect: 'ClosedError',
    async: true,
    setup: () => {
      const q = new Queue();
      q.close();
      return q;
    },
    run: (q) => q.put(1),
  },
  {
    api: 'q.get() on a schema queue',
    input: 'a value the zod schema rejects',
    expect: 'ValidationError',
    says: 'expected number',
    async: true,
    setup: async () => {
      const q = new Queue({ schema: z.number() });
      await q.put('x' as never);
      await q.put(5);
      return q;
    },
    run: (q) => q.get(1000),
    next: async (q) => assert((await q.get(1000)) === 5, 'the next value is delivered'),
  },
  {
    api: 'jq.taskDone() once too often',
    input: 'more taskDone() than items',
    expect: 'ValidationError',
    says: 'taskDone()',
    setup: () => new JoinableQueue(),
    run: (q) => q.taskDone(),
    next: async (q) => {
      await q.put(1);
      await q.get();
      q.taskDone();
      await q.join();
    },
  },
  {
    api: 'jq.task_done()',
    input: "Python's spelling",
    expect: 'ValidationError',
    says: 'taskDone()',
    setup: () => new JoinableQueue(),
    run: (q) => q.task_done(),
  },
  {
    api: 'new SimpleQueue({ maxsize: 1 })',
    input: 'an option SimpleQueue does not have',
    expect: 'ValidationError',
    says: 'maxsize',
    run: () => new SimpleQueue({ maxsize: 1 } as never),
  },
];
