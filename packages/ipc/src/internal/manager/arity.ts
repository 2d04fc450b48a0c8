/**
 * Refusing arguments a manager's proxy or factory does not take. JavaScript drops extra arguments
 * silently, so `d.get('a', 1, 2)`, `lock.release(1)` or `manager.Lock(x)` did nothing with them,
 * where the thread primitives (`@multiproc/shared`'s internal/arity.ts), the queues and connections
 * (`../arity.ts`) refuse them, and Python's referent raises `TypeError`. One table says how many
 * arguments each method takes; {@link refuseExtraArguments} wraps each such method of a prototype
 * once, so a refused call sends nothing to the manager. A registered type's proxy (`AutoProxy`)
 * forwards every call, and the served method decides, as in Python.
 *
 * A refused call throws at the call, as the same method of the thread primitive does (so code
 * behaves alike in the `'thread'` and `'process'` contexts), even though the proxy's method returns
 * a Promise: `lock.release()`, `cond.notify()`, `ev.set()` and a dict's `set()` are written without
 * `await`, and a rejection there would surface later as an unhandled rejection, far from the call.
 * Only the methods that wait (`acquire`, `wait`, `put`, `get`, `join`, ...: {@link Kind.rejects})
 * reject, as the thread primitives' and queues' waits do.
 */
import { tooManyArguments } from '@multiproc/shared';
import { takesOf } from '../arity.js';
import { proxyRef } from './server.js';
import type { ProxyRef } from './wire.js';

/** How many arguments a method takes at most, what they are, and what to do instead. */
type Takes = readonly [max: number, takes: string, instead?: string];

interface Kind {
  /** Methods by name. */
  readonly methods: Readonly<Record<string, Takes>>;
  /** The methods that wait, which refuse by rejecting, as a thread primitive's wait does; the others throw. */
  readonly rejects?: readonly string[];
  /** How the message names the object; by default the proxy's typeid (`'dict'`, `'RLock'`). */
  readonly named?: string;
}

const NONE: Takes = [0, 'no argument'];
const TIMEOUT = 'an optional timeout (ms, or { timeout })';
const FN = 'the function to run and an optional timeout (ms, or { timeout, block })';
const NO_LOCK =
  "a manager's one has no lock (Python's manager ignores its lock argument): for one with getLock(), " +
  "use getContext('process')";
const MAXSIZE: Takes = [1, 'an optional maxsize (or { maxsize })'];
const noneOf = (...names: string[]) => Object.fromEntries(names.map((n) => [n, NONE]));
const queue = (method: string, max: number): Takes => [max, ...takesOf(method)];

const KINDS = {
  dict: {
    methods: {
      get: [2, 'a key and an optional fallback'],
      set: [2, 'a key and a value', 'to set several, use update(entries)'],
      has: [1, 'a key'],
      delete: [1, 'a key'],
      pop: [2, 'a key and an optional fallback'],
      setdefault: [2, 'a key and a value'],
      update: [1, 'one set of entries (pairs, a Map, a plain object or a dict proxy)'],
      ...noneOf('popitem', 'keys', 'values', 'items', 'len', 'clear', 'copy'),
    },
  },
  list: {
    methods: {
      get: [1, 'an index', "for Python's l[i:j], use slice(i, j)"],
      set: [2, 'an index and a value'],
      append: [1, 'one value', 'to add several, use extend(values)'],
      extend: [1, 'one iterable of values', 'pass them as one array'],
      insert: [2, 'an index and a value'],
      pop: [1, 'an optional index'],
      remove: [1, 'a value'],
      index: [3, 'a value, an optional start and an optional end'],
      count: [1, 'a value'],
      includes: [1, 'a value'],
      deleteSlice: [3, 'an optional start, end and step', "for Python's del l[i], use pop(i)"],
      sort: [1, 'an optional { reverse } (or reverse as a boolean)'],
      slice: [3, 'an optional start, end and step'],
      setSlice: [4, 'a start, an end, an optional step and the values'],
      imul: [1, 'a count n'],
      repeat: [1, 'a count n'],
      ...noneOf('len', 'reverse', 'toReversed', 'clear', 'copy'),
    },
  },
  Namespace: {
    methods: { get: [1, 'a name'], set: [2, 'a name and a value'], delete: [1, 'a name'], copy: NONE },
  },
  Value: { methods: { get: [0, 'no argument', 'to write, use set(x)'], set: [1, 'one value'] } },
  Array: {
    methods: {
      get: [1, 'an index', "for Python's a[i:j], use slice(i, j)"],
      set: [2, 'an index and a value', 'to set several, use setSlice(start, values)'],
      slice: [2, 'an optional start and end'],
      setSlice: [2, 'a start and the values'],
      ...noneOf('len', 'copy', 'toArray'),
    },
  },
  Synchronized: { methods: noneOf('getLock', 'getObj') },
  Lock: {
    methods: {
      acquire: [1, 'an optional timeout (ms, or { timeout, block })'],
      tryAcquire: [0, 'no argument', 'it never waits: use acquire({ timeout }) to wait at most ms'],
      withLock: [2, FN],
      ...noneOf('release', 'locked', 'isOwned'),
    },
    rejects: ['acquire', 'withLock'],
  },
  Semaphore: { methods: { release: [1, 'an optional count n'], ...noneOf('getValue', 'locked') } },
  Event: { methods: { wait: [1, TIMEOUT], ...noneOf('set', 'clear', 'isSet') }, rejects: ['wait'] },
  Condition: {
    methods: {
      wait: [1, TIMEOUT],
      waitFor: [2, 'a predicate and an optional timeout (ms, or { timeout })'],
      notify: [1, 'an optional number of waiters n'],
      notifyAll: NONE,
    },
    rejects: ['wait', 'waitFor'],
  },
  Barrier: { methods: { wait: [1, TIMEOUT], ...noneOf('reset', 'abort', 'state') }, rejects: ['wait'] },
  Queue: {
    methods: {
      put: queue('Queue.put', 2),
      putNowait: queue('Queue.putNowait', 1),
      get: queue('Queue.get', 1),
      getNowait: queue('Queue.getNowait', 0),
      taskDone: queue('JoinableQueue.taskDone', 0),
      join: queue('JoinableQueue.join', 0),
      ...noneOf('qsize', 'empty', 'full'),
    },
    rejects: ['put', 'get', 'join'],
  },
  BaseManager: {
    named: 'manager',
    methods: {
      register: [3, 'a typeid, a factory and an optional options object ({ exposed })'],
      start: [2, 'an optional initializer and its initargs as one array'],
      ...noneOf('serveForever', 'getServer', 'connect', 'numberOfObjects', 'shutdown'),
    },
    rejects: ['start', 'serveForever', 'connect', 'numberOfObjects', 'shutdown'],
  },
  SyncManager: {
    named: 'manager',
    methods: {
      dict: [1, 'optional initial entries (pairs, a Map, a plain object or a dict proxy)'],
      list: [1, 'an optional iterable of items'],
      Namespace: [
        1,
        'an optional object of names and values',
        "Python's Namespace(**attrs) is Namespace({ ...attrs }) here",
      ],
      Value: [2, 'a typecode and an optional value', `${NO_LOCK}.Value(typecode, value, { lock })`],
      Array: [2, 'a typecode and a length or the items', `${NO_LOCK}.Array(typecode, init, { lock })`],
      Semaphore: [1, 'an optional initial value'],
      BoundedSemaphore: [1, 'an optional initial value'],
      Condition: [1, 'an optional Lock or RLock of this manager'],
      Barrier: [
        2,
        'parties and optional options ({ action, timeout })',
        "Python's Barrier(parties, action, timeout) is Barrier(parties, { action, timeout }) here",
      ],
      Queue: MAXSIZE,
      JoinableQueue: MAXSIZE,
      ...Object.fromEntries(
        ['Lock', 'RLock', 'Event'].map((n) => [n, [0, 'no argument', `Python's ${n}() takes none either`]]),
      ),
    },
  },
} satisfies Record<string, Kind>;

/**
 * Wraps each method of `target` (a class's prototype, or the class for its static methods) that
 * {@link KINDS}`[kind]` lists: a call given more arguments than the method takes is refused with
 * the `ValidationError` shared's `tooManyArguments` makes, thrown at the call (a rejection for the
 * methods that wait: {@link Kind.rejects}), before the method runs, so nothing reaches the manager.
 * One comparison per call: a proxy's call is a round trip to the manager.
 * @throws {Error} when `target` has no such method (a table out of date).
 * @example
 * refuseExtraArguments(DictProxy.prototype, 'dict'); // d.get('a', 1, 2) now throws
 */
export function refuseExtraArguments(target: object, kind: keyof typeof KINDS): void {
  const { methods, rejects = [], named } = KINDS[kind] as Kind;
  for (const [name, [max, takes, instead]] of Object.entries(methods)) {
    const method: unknown = Object.getOwnPropertyDescriptor(target, name)?.value;
    if (typeof method !== 'function') throw new Error(`refuseExtraArguments: ${kind} has no method ${name}.`);
    const throws = !rejects.includes(name);
    const guarded = {
      [name](this: unknown, ...args: unknown[]): unknown {
        if (args.length <= max) return method.apply(this, args);
        const owner = named ?? (this as { [proxyRef]?: ProxyRef } | null)?.[proxyRef]?.typeid ?? kind;
        const err = tooManyArguments(`${owner}.${name}()`, args.length, takes, instead);
        if (throws) throw err;
        return Promise.reject(err);
      },
    }[name]!;
    Object.defineProperty(guarded, 'length', { value: method.length });
    Object.defineProperty(target, name, { value: guarded, writable: true, configurable: true });
  }
}
