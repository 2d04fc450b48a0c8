/**
 * The default namespace's shared-memory factories follow the start method, as Python's
 * module-level `multiprocessing.Lock()` is the default context's (`context._default_context.Lock`):
 * `mp.Lock()` makes a `@multiproc/shared` `Lock` while `getStartMethod()` is `'thread'`, and returns
 * `getContext('process').Lock()` (a manager proxy a child process can use) once it is `'process'`
 * (after `setStartMethod('process')`, and in a `'process'` worker, whose start method that is).
 * Read at each call, so an object already made keeps its kind.
 */
import { getContext, getStartMethod } from '@multiproc/core';

/**
 * The members `getContext('process')` replaces with process-safe proxies (the SharedArrayBuffer
 * ones, which cannot reach a child process); `Array` is the same member as `SharedArray`.
 */
export const FOLLOWING = [
  'Barrier',
  'BoundedSemaphore',
  'Condition',
  'Event',
  'Lock',
  'RLock',
  'RawArray',
  'RawValue',
  'Semaphore',
  'SharedArray',
  'Value',
] as const;

type Factory = (...args: unknown[]) => unknown;
type Constructor = new (...args: unknown[]) => object;

const ordinaryHasInstance = Function.prototype[Symbol.hasInstance];

// Per realm (scripts/first-use.mjs): each first-use facade with its real export once loaded (null
// until then), and the stand-in that its class's prototype names as `constructor` once it loads.
const FACADES_KEY = Symbol.for('multiproc.firstUse.facades');
const CLAIMS_KEY = Symbol.for('multiproc.firstUse.claims');

/** The process context's member `name` (loads the context's code on first use). */
const processMember = (name: string): Factory =>
  (getContext('process') as unknown as Record<string, Factory>)[name] as Factory;

/**
 * A stand-in for class (or factory) `cls`, the default namespace's member `name`: called or used
 * with `new`, it makes a `cls` or, when the start method is `'process'`, returns the process
 * context's member's result. Everything else is the class's: its `prototype` and statics, and
 * `class X extends mp.Lock` (a subclass always constructs the class). `x instanceof` it holds for
 * the class's instances and for what the process context's member returns.
 */
function follower(name: string, cls: Constructor, wrapper: unknown): unknown {
  const make = (args: unknown[]): unknown =>
    getStartMethod() === 'process'
      ? Reflect.apply(processMember(name), undefined, args)
      : Reflect.construct(cls, args);
  const proxy: object = new Proxy(cls, {
    apply: (_target, _this, args) => make(args),
    construct: (target, args, newTarget) =>
      (newTarget === proxy ? make(args) : Reflect.construct(target, args, newTarget)) as object,
    get: (target, key, receiver) =>
      key === Symbol.hasInstance ? hasInstance : Reflect.get(target, key, receiver),
  });
  function hasInstance(this: unknown, value: unknown): boolean {
    if (Reflect.apply(ordinaryHasInstance, this, [value])) return true;
    // A manager proxy has a `typeid`; checking only such values leaves the process context unloaded.
    if (this !== proxy || typeof value !== 'object' || value === null || !('typeid' in value)) return false;
    return value instanceof processMember(name);
  }
  claimConstructor(cls, proxy, wrapper);
  return proxy;
}

/**
 * Makes `proxy` the `constructor` the class's prototype names, in place of the class or of its
 * context wrapper (`wrapper`, which claimed it first): `mp.Lock().constructor === mp.Lock`. A
 * factory that lends its class's prototype (`Value`, `SharedArray`) leaves it to the class.
 */
function claimConstructor(cls: Constructor, proxy: object, wrapper: unknown): void {
  // A class loaded on first use (`@multiproc/shared`'s on Node) is not read now, which would load
  // it: its facade names `proxy` as its constructor once it loads (scripts/first-use.mjs).
  if ((globalThis as any)[FACADES_KEY]?.get(cls) === null) {
    const claims: WeakMap<object, object> = ((globalThis as any)[CLAIMS_KEY] ??= new WeakMap());
    claims.set(cls, proxy);
    return;
  }
  const prototype: unknown = cls.prototype;
  if (typeof prototype !== 'object' || prototype === null) return;
  const own = Object.getOwnPropertyDescriptor(prototype, 'constructor');
  if (!own?.writable || (own.value !== cls && own.value !== wrapper)) return;
  try {
    Object.defineProperty(prototype, 'constructor', { ...own, value: proxy });
  } catch {
    // A frozen prototype keeps its constructor.
  }
}

/**
 * `members` (the default namespace, its classes made callable) with each {@link FOLLOWING} member
 * replaced by its {@link follower} of the class in `classes`, and `Array` by `SharedArray`'s.
 */
export function followStartMethod<T extends object>(members: T, classes: object): T {
  const out = members as Record<string, unknown>;
  const raw = classes as Record<string, Constructor>;
  for (const name of FOLLOWING) out[name] = follower(name, raw[name] as Constructor, out[name]);
  out.Array = out.SharedArray;
  return members;
}
