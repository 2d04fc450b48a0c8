/**
 * Proxies of the manager's single values: a `Namespace`'s named values, and a typecoded `Value`
 * and `Array` (the manager's counterparts of `@multiproc/shared`'s, read and written by a round
 * trip, never through a `.value` property). Reads are copies, as in data-proxies.ts.
 */
import { ContextError, type Typecode } from '@multiproc/shared';
import { refuseExtraArguments } from '../internal/manager/arity.js';
import { iterableItems } from '../internal/manager/items.js';
import { noSyncRead, refuseSyncIteration } from '../internal/manager/no-sync.js';
import { proxyRef } from '../internal/manager/server.js';
import { BaseProxy, namedArgs, pipelined, proxyClass } from './proxy.js';

/** `call()` when `name` is a string; else a rejection with a TypeError, nothing sent. */
function withName<R>(name: unknown, where: string, call: () => Promise<R>): Promise<R> {
  if (typeof name === 'string') return call();
  return Promise.reject(
    new TypeError(`${where}: attribute name must be a string, got ${name === null ? 'null' : typeof name}.`),
  );
}

/**
 * A manager's `Namespace`: named values. Mirrors Python's `NamespaceProxy` (`ns.x = 1` is
 * `await ns.set('x', 1)` here). Reads are copies. As in Python, a name that starts with `_` is
 * this proxy's own: `get`, `set` and `delete` of `'_x'` keep it on this proxy object and never
 * reach the manager (another proxy of the same Namespace, or `copy()`, does not see it).
 * `T` types its names and values for TypeScript only (nothing is checked at run time, and a name
 * never set reads `undefined`); by default any name holds any value.
 * @example
 * const manager = Manager();
 * const ns = manager.Namespace({ x: 1 });
 * await ns.set('y', 'two');
 * await ns.set('_note', 'local'); // this proxy's own, as in Python
 * console.log(await ns.copy()); // { x: 1, y: 'two' }
 * const counter = manager.Namespace<{ count: number }>({ count: 0 });
 * await counter.set('count', (await counter.get('count')) + 1); // typed: number
 * await manager.shutdown();
 */
export class NamespaceProxy<T extends object = Record<string, unknown>> extends BaseProxy {
  /** The names starting with `_`: Python's NamespaceProxy keeps them on the proxy object itself. */
  readonly #own = new Map<string, unknown>();

  /**
   * The value named `name` (`undefined` when unset). Python: `ns.name`. A name starting with `_`
   * is read from this proxy (see the class).
   * @throws {TypeError} (as a rejection, as `set()` and `delete()`) when `name` is not a string
   *   (Python: `attribute name must be string`).
   */
  get<K extends keyof T & string>(name: K): Promise<T[K]> {
    return withName(name, 'Namespace.get()', () =>
      isOwn(name)
        ? Promise.resolve(this.#own.get(name) as T[K])
        : (this.callMethod('get', name) as Promise<T[K]>),
    );
  }
  /**
   * Sets `name`. Python: `ns.name = value`. Sent without waiting, as a dict's `set()`; a name
   * starting with `_` is set on this proxy only.
   */
  set<K extends keyof T & string>(name: K, value: T[K]): Promise<void> {
    return withName(name, 'Namespace.set()', () => {
      if (!isOwn(name)) return namedArgs(['name', 'value'], () => this[pipelined]('set', name, value));
      this.#own.set(name, value);
      return Promise.resolve();
    });
  }
  /**
   * Removes `name`; resolves to whether it was set. Python: `del ns.name`. A name starting with
   * `_` is removed from this proxy only.
   */
  delete(name: keyof T & string): Promise<boolean> {
    return withName(name, 'Namespace.delete()', () =>
      isOwn(name)
        ? Promise.resolve(this.#own.delete(name))
        : (this.callMethod('delete', name) as Promise<boolean>),
    );
  }
  /** Every name and value in the manager, as a plain object (not this proxy's `_` names). */
  copy(): Promise<T> {
    return this.callMethod('copy') as Promise<T>;
  }
}

/** Python's `NamespaceProxy` test: `key[0] == '_'` stays on the proxy. */
const isOwn = (name: string): boolean => name.startsWith('_');
proxyClass('Namespace', NamespaceProxy);
refuseExtraArguments(NamespaceProxy.prototype, 'Namespace');

/**
 * A manager's `Value(typecode, v)`; typecodes and ranges as in `@multiproc/shared`. Mirrors
 * Python's `ValueProxy` (`v.value` is `await v.get()`, `v.value = x` is `await v.set(x)`).
 * @example
 * const manager = Manager();
 * const v = manager.Value('d', 0.5);
 * await v.set(3.25);
 * console.log(await v.get()); // 3.25
 * await manager.shutdown();
 */
export class ValueProxy<T extends number | bigint = number> extends BaseProxy {
  /** The value. Python: `v.value`. */
  get(): Promise<T> {
    return this.callMethod('get') as Promise<T>;
  }
  /** Sets the value. Python: `v.value = x`. @throws {ValidationError} when it does not fit the typecode. */
  set(value: T): Promise<void> {
    return this.callMethod('set', value) as Promise<void>;
  }
  /**
   * Not readable here: the value lives in the manager, so reading it is a round trip. Use
   * `await v.get()`. (A thread `Value`'s `.value` works, as it reads shared memory.)
   * @throws {ContextError} always, saying so.
   */
  get value(): never {
    throw noValueProperty();
  }
  /**
   * Not writable here: use `await v.set(x)`.
   * @throws {ContextError} always, saying so.
   */
  set value(_: never) {
    throw noValueProperty();
  }
  /** The typecode, fixed at creation. Python: `v._typecode`. */
  get typecode(): Typecode {
    return fixed(this, 'typecode') as Typecode;
  }
  /**
   * Not here: the value's memory is in another process, so no typed-array view of it can exist.
   * Use `await v.get()` / `await v.set(x)`.
   * @throws {ContextError} always, saying so.
   */
  get view(): never {
    throw noView('Value', '`await v.get()` and `await v.set(x)`');
  }
  /**
   * Not here: `JSON.stringify()` cannot wait for the manager's answer (it would write `{}`).
   * Use `JSON.stringify(await v.get())`. (A thread `Value`'s `toJSON()` works.)
   * @throws {ContextError} always, saying so.
   */
  override toJSON(): never {
    throw noSyncRead('Value', 'toJSON()', 'JSON.stringify(await v.get())');
  }
  /**
   * `String(v)` and `` `${v}` `` give the proxy's repr. A comparison or arithmetic (`v > 3`,
   * `v * 2`) cannot wait for the value and would read `NaN` (so `v > 3` were silently false):
   * it throws instead, as Python's `v > 3` raises `TypeError`.
   * @throws {ContextError} when a number is wanted, saying to compare `await v.get()`.
   */
  [Symbol.toPrimitive](hint: 'string' | 'number' | 'default'): string {
    if (hint === 'number') {
      throw new ContextError(
        "A manager's (or getContext('process')'s) Value lives in another process: it is not a number " +
          'here, and comparing or computing with it would give NaN. Read it first: `(await v.get()) > 3`.',
      );
    }
    return this.toString();
  }
}
proxyClass('Value', ValueProxy);
refuseExtraArguments(ValueProxy.prototype, 'Value');

/** A field fixed at creation that the proxy's reference carries. @throws {ContextError} when it does not (an older manager). */
function fixed(proxy: BaseProxy, field: 'length' | 'typecode'): number | string {
  const v = proxy[proxyRef][field];
  if (v === undefined) {
    throw new ContextError(
      `This proxy's manager (another version) did not send its ${field}: use \`await a.len()\` for the length.`,
    );
  }
  return v;
}

const noView = (kind: string, use: string): ContextError =>
  new ContextError(
    `A manager's (or getContext('process')'s) ${kind} lives in another process: no view of its memory ` +
      `can exist here. Use ${use}; \`.view\` works on a thread ${kind} only.`,
  );

const noValueProperty = (): ContextError =>
  new ContextError(
    "A manager's (or getContext('process')'s) Value lives in another process: read it with " +
      '`await v.get()` and write it with `await v.set(x)`; `.value` works on a thread Value only.',
  );

/**
 * A manager's `Array(typecode, seq)`. Mirrors Python's `ArrayProxy`; indexes may be negative.
 * @example
 * const manager = Manager();
 * const a = manager.Array('i', [1, 2, 3]);
 * await a.set(-1, 30);
 * console.log(await a.copy()); // [ 1, 2, 30 ]
 * await manager.shutdown();
 */
export class ArrayProxy<T extends number | bigint = number> extends BaseProxy {
  /** The item at `index`. @throws {ValidationError} when out of range. */
  get(index: number): Promise<T> {
    return this.callMethod('get', index) as Promise<T>;
  }
  /** Sets the item at `index`. @throws {ValidationError} when out of range or it does not fit. */
  set(index: number, value: T): Promise<void> {
    return this.callMethod('set', index, value) as Promise<void>;
  }
  /** The length. Python: `len(a)`. */
  len(): Promise<number> {
    return this.callMethod('len') as Promise<number>;
  }
  /**
   * The length, fixed at creation, so readable at once (as a thread `SharedArray`'s). Python: `len(a)`.
   * @example
   * console.log(Manager().Array('i', 3).length); // 3
   */
  get length(): number {
    return fixed(this, 'length') as number;
  }
  /** The typecode, fixed at creation. Python: `a._typecode`. */
  get typecode(): Typecode {
    return fixed(this, 'typecode') as Typecode;
  }
  /**
   * Not here: the items are in another process, so no typed-array view of them can exist. Use
   * `await a.copy()`, `await a.slice(start, end)` and `await a.setSlice(start, values)`.
   * @throws {ContextError} always, saying so.
   */
  get view(): never {
    throw noView('Array', '`await a.copy()`, `await a.slice()` and `await a.setSlice()`');
  }
  /** A copy as an array. Python: `a[:]`. */
  copy(): Promise<T[]> {
    return this.callMethod('copy') as Promise<T[]>;
  }
  /**
   * A copy of every item as a plain array, in one round trip: a thread `SharedArray`'s
   * `toArray()`, awaited here. Python: `a[:]`.
   * @example
   * const a = Manager().Array('i', [1, 2]);
   * console.log(await a.toArray()); // [ 1, 2 ]
   */
  toArray(): Promise<T[]> {
    return this.copy();
  }
  /**
   * Not here: `JSON.stringify()` cannot wait for the manager's answer (it would write `{}`).
   * Use `JSON.stringify(await a.toArray())`. (A thread `SharedArray`'s `toJSON()` works.)
   * @throws {ContextError} always, saying so.
   */
  override toJSON(): never {
    throw noSyncRead('Array', 'toJSON()', 'JSON.stringify(await a.toArray())');
  }
  /**
   * Items `start` to `end` (exclusive), in one round trip, with Python's slice rules for negative
   * and out-of-range bounds (as a thread `SharedArray`'s `slice()`). Python: `a[start:end]`.
   * @example
   * const a = Manager().Array('i', [1, 2, 3, 4]);
   * console.log(await a.slice(1, -1)); // [ 2, 3 ]
   */
  slice(start?: number, end?: number): Promise<T[]> {
    return this.callMethod('slice', start, end) as Promise<T[]>;
  }
  /**
   * Stores `values` from `start` on (negative counts from the end), in one round trip: all of
   * them, or none (as a thread `SharedArray`'s `setSlice()`). Python: `a[start:start + len(values)] = values`.
   * @throws {ValidationError} when the values run past the end or one does not fit the typecode.
   * @example
   * const a = Manager().Array('i', 4);
   * await a.setSlice(1, [7, 8]);
   * console.log(await a.copy()); // [ 0, 7, 8, 0 ]
   */
  setSlice(start: number, values: Iterable<T>): Promise<void> {
    let items: T[];
    try {
      // An iterable that throws while read rejects this call too, as a bad one does.
      items = iterableItems(values, 'Array.setSlice(start, values)');
    } catch (err) {
      return Promise.reject(err);
    }
    return this.callMethod('setSlice', start, items) as Promise<void>;
  }
  /**
   * `for await (const v of a)`: the items at the time the loop starts (Python: `list(a)`). A
   * synchronous loop (`for...of`, `[...a]`, `Array.from(a)`) throws `ContextError` saying so.
   */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    yield* await this.copy();
  }
}
proxyClass('Array', ArrayProxy);
refuseExtraArguments(ArrayProxy.prototype, 'Array');
refuseSyncIteration(ArrayProxy.prototype, 'Array', 'a', 'await a.toArray()');
