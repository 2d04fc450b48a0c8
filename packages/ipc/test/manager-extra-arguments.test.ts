// Every method of a manager's proxies, and of the manager itself, refuses arguments it does not take
// with ValidationError, as the thread primitives, queues and connections do (CONTRACT "Timeouts and
// waiting"): JavaScript drops them silently, so `d.get('a', 1, 2)` resolved 1, `lock.acquire(1, 2)`
// and `(await m.Queue()).put(1, {}, 3)` ignored their extra argument, `m.Lock(x)` made a Lock.
// A proxy's method refuses by throwing at the call, as the thread primitive's does (`lock.release(1)`
// is often written without `await`: a rejection there went unhandled); only the methods that wait
// (`acquire`, `wait`, `put`, `get`, `join`) reject, as the thread primitives' and queues' waits do.
// A refused call sends nothing to the manager (no connection is asked for), and the proxy or
// manager keeps working; every valid form (an optional argument left out, or null where taken) still works.
// A registered type's proxy forwards every call: the served method decides, as Python's referent.
import {
  ArrayProxy,
  BarrierProxy,
  BaseManager,
  BaseProxy,
  ConditionProxy,
  DictProxy,
  EventProxy,
  ListProxy,
  LockProxy,
  Manager,
  NamespaceProxy,
  QueueProxy,
  SemaphoreProxy,
  SynchronizedArrayProxy,
  SynchronizedValueProxy,
  SyncManager,
  ValidationError,
  ValueProxy,
} from '@multiproc/ipc';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { managerTestKit } from './manager-kit.js';

const kit = managerTestKit();
afterEach(() => vi.restoreAllMocks());

type Args = unknown[];
type Obj = Record<string, (...args: unknown[]) => unknown>;
interface Method {
  /** One argument too many. */
  extra: Args;
  /** Every valid form, each called in turn (so their order keeps each one valid). */
  valid: Args[] | ((p: Obj) => Args[]);
  /** Called before and after each valid call (take the lock a `wait()` needs, release what it took). */
  before?: (p: Obj) => unknown;
  after?: (p: Obj) => unknown;
  /** Answers at once: not a Promise. */
  sync?: boolean;
  /** Waits, so refuses by rejecting (the others throw at the call). */
  waits?: boolean;
}
interface Kind {
  make: (m: SyncManager) => Obj;
  /** The name the messages use (`'dict'`, `'RLock'`). */
  name: string;
  /** What the object holds now, when not what {@link snapshot} reads. */
  read?: (p: Obj) => unknown;
  methods: Record<string, Method>;
}

const fn = () => 7;
const none = (extra: Args = [1]): Method => ({ extra, valid: [[]] });
const timeouts = (first: Args = []): Args[] => [first, [null], [1000], [{ timeout: 1000 }]];
const holding: Pick<Method, 'before' | 'after'> = { before: (p) => p.acquire!(), after: (p) => p.release!() };
const lockMethods: Record<string, Method> = {
  acquire: {
    extra: [1000, 1],
    valid: [[], [null], [1000], [{ timeout: 1000 }], [{ block: false }]],
    after: (p) => p.release!(),
    waits: true,
  },
  tryAcquire: { extra: [1], valid: [[]], after: (p) => p.release!() },
  release: { extra: [1], valid: [[]], before: (p) => p.acquire!() },
  locked: none(),
  withLock: { extra: [fn, 1000, 1], valid: [[fn], [fn, 1000], [fn, null]], waits: true },
};

const KINDS: Kind[] = [
  {
    name: 'dict',
    make: (m) => m.dict([['a', 1]]) as never,
    methods: {
      get: { extra: ['a', 0, 1], valid: [['a'], ['a', 0], ['a', null]] },
      set: { extra: ['b', 2, 3], valid: [['b', 2]] },
      has: { extra: ['a', 1], valid: [['a']] },
      delete: { extra: ['zz', 1], valid: [['zz']] },
      pop: { extra: ['b', 0, 1], valid: [['b'], ['x', 0], ['x', null]] },
      setdefault: { extra: ['c', 3, 4], valid: [['c'], ['c', 3]] },
      update: { extra: [[['e', 5]], { f: 6 }], valid: [[[['e', 5]]]] },
      popitem: none(),
      keys: none(),
      values: none(),
      items: none(),
      len: none(),
      copy: none(),
      clear: none(),
    },
  },
  {
    name: 'list',
    make: (m) => m.list([1, 2, 3]) as never,
    methods: {
      get: { extra: [0, 1], valid: [[0]] },
      set: { extra: [0, 9, 1], valid: [[0, 9]] },
      append: { extra: [4, 5], valid: [[4]] },
      extend: { extra: [[5], [6]], valid: [[[5]]] },
      insert: { extra: [0, 0, 1], valid: [[0, 0]] },
      index: { extra: [9, 0, 10, 1], valid: [[9], [9, 0], [9, 0, 10]] },
      count: { extra: [9, 1], valid: [[9]] },
      includes: { extra: [9, 1], valid: [[9]] },
      deleteSlice: { extra: [10, 11, 1, 1], valid: [[10], [10, 11], [10, 11, 1]] }, // past the end: keeps the items
      remove: { extra: [9, 1], valid: [[9]] },
      pop: { extra: [0, 1], valid: [[], [0]] },
      sort: { extra: [{ reverse: true }, 1], valid: [[], [{ reverse: true }], [true]] },
      slice: { extra: [0, 1, 1, 1], valid: [[], [0], [0, 2], [0, 2, 1], [null, null, -1]] },
      imul: { extra: [1, 2], valid: [[1]] },
      repeat: { extra: [1, 2], valid: [[1]] },
      setSlice: {
        extra: [3, 3, 1, [], 1],
        valid: [
          [3, 3, []],
          [3, 3, 1, []],
        ],
      }, // empty: keeps the items
      toReversed: none(),
      reverse: none(),
      len: none(),
      copy: none(),
      clear: none(),
    },
  },
  {
    name: 'Namespace',
    make: (m) => m.Namespace({ x: 1 }) as never,
    methods: {
      get: { extra: ['x', 1], valid: [['x']] },
      set: { extra: ['y', 2, 3], valid: [['y', 2]] },
      delete: { extra: ['y', 1], valid: [['y']] },
      copy: none(),
    },
  },
  {
    name: 'Value',
    make: (m) => m.Value('i', 1) as never,
    methods: { get: none(), set: { extra: [2, 3], valid: [[2]] } },
  },
  {
    name: 'Array',
    make: (m) => m.Array('i', [1, 2, 3]) as never,
    methods: {
      get: { extra: [0, 1], valid: [[0]] },
      set: { extra: [0, 5, 1], valid: [[0, 5]] },
      slice: { extra: [0, 1, 2], valid: [[], [0], [0, 2]] },
      setSlice: { extra: [0, [1], 1], valid: [[0, [1]]] },
      len: none(),
      copy: none(),
      toArray: none(),
    },
  },
  {
    name: 'Value',
    make: (m) => (SynchronizedValueProxy as never as Obj).withLock!(m.Value('i', 1), m.Lock()) as never,
    methods: { getLock: { ...none(), sync: true }, getObj: { ...none(), sync: true } },
  },
  {
    name: 'Array',
    make: (m) => (SynchronizedArrayProxy as never as Obj).withLock!(m.Array('i', 2), m.Lock()) as never,
    methods: { getLock: { ...none(), sync: true }, getObj: { ...none(), sync: true } },
  },
  { name: 'Lock', make: (m) => m.Lock() as never, methods: lockMethods },
  {
    name: 'RLock',
    make: (m) => m.RLock() as never,
    methods: { ...lockMethods, isOwned: { ...none(), sync: true } },
  },
  {
    name: 'BoundedSemaphore',
    make: (m) => m.BoundedSemaphore(2) as never,
    methods: {
      acquire: lockMethods.acquire!,
      release: { extra: [1, 2], valid: [[], [1]], before: (p) => p.acquire!() },
      getValue: none(),
      locked: none(),
    },
  },
  {
    name: 'Event',
    make: (m) => m.Event() as never,
    methods: {
      set: none(),
      isSet: none(),
      wait: { extra: [0, 1], valid: timeouts(), waits: true },
      clear: none(),
    },
  },
  {
    name: 'Condition',
    make: (m) => m.Condition() as never,
    read: (p) => (p.lock as unknown as Obj).locked!(),
    methods: {
      acquire: lockMethods.acquire!,
      release: lockMethods.release!,
      wait: { extra: [0, 1], valid: [[0], [{ timeout: 0 }]], ...holding, waits: true },
      waitFor: { extra: [fn, 0, 1], valid: [[fn], [fn, 0], [fn, null]], ...holding, waits: true },
      notify: { extra: [1, 2], valid: [[], [1], [Number.POSITIVE_INFINITY]], ...holding },
      notifyAll: { ...none(), ...holding },
    },
  },
  {
    name: 'Barrier',
    make: (m) => m.Barrier(1) as never,
    methods: {
      wait: { extra: [1000, 1], valid: timeouts(), waits: true },
      state: none(),
      reset: none(),
      abort: none(),
    },
  },
  {
    name: 'JoinableQueue',
    make: (m) => m.JoinableQueue() as never,
    methods: {
      put: { extra: [1, {}, 3], valid: [[1], [1, null], [1, 1000], [1, { timeout: 1000 }]], waits: true },
      putNowait: { extra: [2, 1000], valid: [[2]] },
      qsize: none(),
      empty: none(),
      full: none(),
      get: { extra: [{ timeout: 1000 }, 1], valid: timeouts(), after: (p) => p.taskDone!(), waits: true },
      getNowait: none([1000]),
      taskDone: none(),
      join: { ...none([100]), waits: true },
    },
  },
];

// Public methods that take any number of arguments, or that throw ContextError whatever they are given.
const EXEMPT = new Set([
  'concat',
  'callMethod',
  'toString',
  'toJSON',
  'acquireSync',
  'waitSync',
  'waitForSync',
]);
const methodsOf = (proto: object): string[] =>
  Object.entries(Object.getOwnPropertyDescriptors(proto))
    .filter(([name, d]) => typeof d.value === 'function' && name !== 'constructor' && !EXEMPT.has(name))
    .map(([name]) => name);

// What the object holds now: a refused call must leave it so.
const READS = ['copy', 'getValue', 'state', 'locked', 'isSet', 'qsize', 'get'];
const snapshot = (p: Obj): unknown => p[READS.find((r) => r in p)!]!();

async function refusal(call: () => unknown, sync: boolean): Promise<unknown> {
  let result: unknown;
  try {
    result = call();
  } catch (err) {
    if (!sync) throw new Error(`threw instead of rejecting: ${err}`);
    return err;
  }
  expect(sync, 'returned instead of throwing').toBe(false);
  expect(result).toBeInstanceOf(Promise);
  return (result as Promise<unknown>).then(
    () => undefined,
    (err: unknown) => err,
  );
}

function expectRefused(err: unknown, method: string): void {
  expect(err).toBeInstanceOf(ValidationError);
  expect((err as ValidationError).code).toBe('MP_VALIDATION');
  expect((err as Error).message).toContain(`${method}() takes`);
}

describe('extra arguments to a manager proxy', () => {
  it('every public method of every proxy class is in the table', () => {
    const covered = (name: string) =>
      new Set(KINDS.filter((k) => k.name === name).flatMap((k) => Object.keys(k.methods)));
    const classes: [object, string][] = [
      [DictProxy, 'dict'],
      [ListProxy, 'list'],
      [NamespaceProxy, 'Namespace'],
      [ValueProxy, 'Value'],
      [ArrayProxy, 'Array'],
      [SynchronizedValueProxy, 'Value'],
      [SynchronizedArrayProxy, 'Array'],
      [LockProxy, 'RLock'],
      [SemaphoreProxy, 'BoundedSemaphore'],
      [EventProxy, 'Event'],
      [ConditionProxy, 'Condition'],
      [BarrierProxy, 'Barrier'],
      [QueueProxy, 'JoinableQueue'],
    ];
    for (const [C, name] of classes) {
      const missing = methodsOf((C as { prototype: object }).prototype).filter((m) => !covered(name).has(m));
      expect(missing, `${name} methods not tested`).toEqual([]);
    }
    // Its callMethod() forwards any arguments; waitCall() and client() are @internal.
    expect(methodsOf(BaseProxy.prototype)).toEqual(['waitCall', 'client']);
  });

  it.each(KINDS.map((k) => [k.name, Object.keys(k.methods).join(', '), k] as const))(
    '%s: %s refuse one argument too many, sending nothing; every valid form works',
    { timeout: 30_000 },
    async (name, _methods, kind) => {
      const m = await kit.manager();
      const p = kind.make(m);
      const read = kind.read ?? snapshot;
      const before = await read(p);
      const sends = vi.spyOn(BaseProxy.prototype as never as Obj, 'client');
      for (const [method, { extra, waits = false }] of Object.entries(kind.methods)) {
        expectRefused(await refusal(() => p[method]!(...extra), !waits), `${name}.${method}`);
      }
      expect(sends).not.toHaveBeenCalled();
      sends.mockRestore();
      // Nothing changed: a refused write wrote nothing, a refused acquire took nothing.
      expect(await read(p)).toEqual(before);
      for (const [method, spec] of Object.entries(kind.methods)) {
        const forms = typeof spec.valid === 'function' ? spec.valid(p) : spec.valid;
        for (const args of forms) {
          await spec.before?.(p);
          const got = p[method]!(...args);
          if (spec.sync) expect(got).not.toBeInstanceOf(Promise);
          else await expect(got, `${name}.${method}(${args.map(String)})`).resolves.not.toBeInstanceOf(Error);
          await spec.after?.(p);
        }
      }
    },
  );

  it('a Condition.wait() without a timeout still waits for notify()', { timeout: 30_000 }, async () => {
    const m = await kit.manager();
    const cond = m.Condition(m.Lock());
    const ev = m.Event();
    await cond.acquire();
    const waiting = cond.wait();
    // The lock is released while it waits: the notifier below takes it from the manager.
    const notifier = (async () => {
      await cond.lock.acquire();
      await cond.notify();
      await cond.lock.release();
      await ev.set();
    })();
    await expect(waiting).resolves.toBe(true);
    await notifier;
    await cond.release();
    expect(await ev.isSet()).toBe(true);
  });

  it("a registered type's proxy leaves the count to the served method", { timeout: 30_000 }, async () => {
    const m = new BaseManager();
    m.register('Box', () => ({ sum: (...xs: number[]) => xs.reduce((a, b) => a + b, 0) }));
    await m.start();
    kit.cleanup.push(() => m.shutdown());
    const box = await m.create<{ sum(...xs: number[]): number }>('Box');
    expect(await box.sum(1, 2, 3)).toBe(6);
  });
});

describe("extra arguments to a manager's own methods", () => {
  const FACTORIES: [string, Args, Args[]][] = [
    ['dict', [[], 1], [[], [[['a', 1]]]]],
    ['list', [[], 1], [[], [[1]], [null]]],
    ['Namespace', [{}, 1], [[], [{ x: 1 }], [null]]],
    ['Value', ['i', 1, { lock: true }], [['i'], ['i', 1]]],
    [
      'Array',
      ['i', 2, { lock: true }],
      [
        ['i', 2],
        ['i', [1]],
      ],
    ],
    ['Lock', [1], [[]]],
    ['RLock', [1], [[]]],
    ['Semaphore', [1, 2], [[], [2]]],
    ['BoundedSemaphore', [1, 2], [[], [2]]],
    ['Event', [1], [[]]],
    ['Condition', [null, 1], [[], [null]]],
    ['Barrier', [1, {}, 1], [[1], [1, null], [1, { timeout: 1000 }]]],
    ['Queue', [1, 2], [[], [2], [{ maxsize: 2 }]]],
    ['JoinableQueue', [1, 2], [[], [2], [{ maxsize: 2 }]]],
  ];

  it('every factory and method of the manager is in the tables', () => {
    const named = FACTORIES.map(([name]) => name);
    expect(methodsOf(SyncManager.prototype).sort()).toEqual(named.sort());
    const base = ['register', 'start', 'serveForever', 'getServer', 'connect', 'numberOfObjects', 'shutdown'];
    // create() passes any arguments on to the factory; the others are @internal.
    const internal = ['create', 'registerServed', 'startNow', 'createLocal', 'resolveLocal'];
    expect(methodsOf(BaseManager.prototype).filter((n) => !internal.includes(n))).toEqual(base);
  });

  it.each(FACTORIES)(
    'manager.%s(%j) throws; nothing is made',
    { timeout: 30_000 },
    async (name, extra, valid) => {
      const m = (await kit.manager()) as never as Obj & SyncManager;
      const made = await m.numberOfObjects();
      expectRefused(await refusal(() => m[name]!(...extra), true), `manager.${name}`);
      expect(await m.numberOfObjects()).toBe(made);
      for (const args of name === 'Condition' ? [...valid, [m.Lock()]] : valid) {
        expect(m[name]!(...args)).toBeInstanceOf(BaseProxy);
      }
    },
  );

  it('register, start, getServer, connect, serveForever, numberOfObjects, shutdown', {
    timeout: 30_000,
  }, async () => {
    const m = new BaseManager({ address: ['127.0.0.1', 0], authkey: 'k' });
    const o = m as never as Obj;
    kit.cleanup.push(() => m.shutdown());
    const box = () => ({ f: () => 1 });
    expectRefused(await refusal(() => o.register!('Box', box, {}, 1), true), 'manager.register');
    expect('Box' in m).toBe(false);
    m.register('Box', box);
    m.register('Box2', box, { exposed: ['f'] });
    m.register('Box3');
    expectRefused(await refusal(() => o.getServer!(1), true), 'manager.getServer');
    expect(m.getServer()).toBeDefined();
    expectRefused(await refusal(() => o.start!(null, [], 1), false), 'manager.start');
    expectRefused(await refusal(() => o.serveForever!(1), false), 'manager.serveForever');
    const address = await m.start(null, []); // still not started: the refused calls did nothing
    expectRefused(await refusal(() => o.numberOfObjects!(1), false), 'manager.numberOfObjects');
    expect(await m.numberOfObjects()).toBe(0);

    const c = new BaseManager({ address, authkey: 'k' });
    expectRefused(await refusal(() => (c as never as Obj).connect!(1), false), 'manager.connect');
    await c.connect();
    expect(await (await c.create<{ f(): number }>('Box')).f()).toBe(1);
    expectRefused(await refusal(() => (c as never as Obj).shutdown!(1), false), 'manager.shutdown');
    await c.shutdown();

    expectRefused(await refusal(() => o.shutdown!(1), false), 'manager.shutdown');
    expect(await (await m.create<{ f(): number }>('Box')).f()).toBe(1); // still serving
    const stopped = m.serveForever();
    await m.shutdown();
    await stopped;
    for (const args of [[], [null], [fn], [fn, []]]) {
      const fresh = new BaseManager();
      await fresh.start(...(args as []));
      await fresh.shutdown();
    }
  });

  it('the constructors and start()', { timeout: 30_000 }, async () => {
    type Loose = new (...args: unknown[]) => unknown;
    const [B, S, M] = [BaseManager, SyncManager, Manager] as never as Loose[];
    const calls: [string, () => unknown, boolean][] = [
      ['new BaseManager', () => new B!({}, 1), true],
      ['new SyncManager', () => new S!({}, 1), true],
      ['Manager', () => (Manager as never as Obj[string])!({}, 1), true],
      ['Manager', () => new M!({}, 1), true],
      ['SyncManager.start', () => (SyncManager as never as Obj).start!({}, 1), false],
      ['SyncManager.start', () => (Manager as never as Obj).start!({}, 1), false],
    ];
    for (const [name, call, sync] of calls) expectRefused(await refusal(call, sync), name);
    for (const options of [undefined, null, {}]) {
      for (const m of [Manager(options), new Manager(options), await SyncManager.start(options)]) {
        expect(await m.Value('i', 3).get()).toBe(3);
        await m.shutdown();
      }
      new SyncManager(options);
      new BaseManager(options);
    }
  });
});
