/**
 * The proxy of the manager's `dict`, with the checks of its arguments that must happen at the call
 * (a pipelined write has no answer to carry an error). Every read returns a copy: mutating a value
 * read from a proxy does not write back (Python's well-known gotcha: `d.get('k').push(1)` changes
 * nothing in the manager; `d.set('k', [...v, 1])` does). The list proxy lives in list-proxy.ts,
 * Namespace, Value and Array proxies in value-proxies.ts, the Queue proxy in queue-proxy.ts.
 */
import { describeValue, ValidationError } from '@multiproc/shared';
import { refuseExtraArguments } from '../internal/manager/arity.js';
import { checkDictKey } from '../internal/manager/dict-key.js';
import { namedEntries } from '../internal/manager/items.js';
import { refuseSyncIteration } from '../internal/manager/no-sync.js';
import { refOf } from '../internal/manager/referent.js';
import type { ListProxy } from './list-proxy.js';
import { BaseProxy, leasable, namedArgs, pipelined, proxyClass } from './proxy.js';

// A SerializationError names the argument as the caller wrote it (`value.onDone`, not `args[1].onDone`).
const KV = ['key', 'value'];

/** `manager.dict(init)`'s entries (none when not given), as {@link dictEntries} checks them. @internal */
export const dictInit = (init: unknown): unknown =>
  init === undefined ? init : dictEntries(init, 'manager.dict()');

/**
 * A dict's initial or `update()` entries as pairs or a plain object, every key checked here (the
 * call is pipelined, so the manager's refusal would come late).
 * @internal
 */
export function dictEntries(entries: unknown, where: string): unknown {
  // A proxy stands for its object's entries: the manager reads them there (referent.ts).
  if (refOf(entries) !== undefined) return entries;
  if (entries instanceof Map) entries = [...entries];
  // A plain object's fields; another object (a Date, a class instance) would read as no entries.
  if (typeof entries === 'object' && entries !== null && !(Symbol.iterator in entries)) {
    if (namedEntries(entries) !== undefined) return entries;
  } else if (typeof entries === 'object' && entries !== null) {
    const pairs = [...(entries as Iterable<unknown>)];
    const bad = pairs.findIndex((p) => !Array.isArray(p) || p.length !== 2);
    if (bad >= 0) {
      throw new ValidationError(
        `${where}: element ${bad} is not a [key, value] pair; pass pairs, a Map or a plain object.`,
      );
    }
    for (const [k] of pairs as [unknown, unknown][]) checkDictKey(k, where);
    return pairs;
  }
  throw new ValidationError(
    `${where}: expected pairs, a Map or a plain object, got ${describeValue(entries)}.`,
  );
}

/**
 * `call()` unless `key` is unhashable (a rejection with the TypeError, nothing sent), or the call
 * was `given` fewer arguments than the `needs` it takes (JavaScript fills them with `undefined`,
 * which is a key of its own: `d.set()` stored `undefined` under `undefined`; Python: TypeError).
 */
function withKey<R>(key: unknown, where: string, call: () => Promise<R>, given = 1, needs = 1): Promise<R> {
  try {
    if (given < needs) {
      const what = needs === 1 ? 'a key' : 'a key and a value';
      throw new ValidationError(
        `${where} takes ${what}, but was given ${given === 0 ? 'none' : given}: to use undefined as ` +
          'the key or value, pass it explicitly (Python: TypeError, a missing argument).',
      );
    }
    checkDictKey(key, where);
  } catch (err) {
    return Promise.reject(err);
  }
  return call();
}

/**
 * A manager's `dict`, keyed like a `Map`. Mirrors Python's `DictProxy`. Reads are copies.
 *
 * Keys: a string, number, bigint, boolean, `null` or `undefined` is a key as itself; an array of
 * those (nested arrays too) is compared by value, as a Python tuple key (`d.set([1, 2], v)`, then
 * `d.get([1, 2])` gives `v`; `keys()` gives the array back). Any other object (a plain object, Date,
 * Map, Set, typed array, or an array holding one) is refused with a `TypeError` (Python:
 * `TypeError: unhashable type`) by every method taking a key, `update()` and `manager.dict()`: a
 * key reaches the manager as a copy, so an object key could never be found again. Key by an id or
 * `JSON.stringify(key)` instead.
 *
 * `set()` and `update()` do not wait for the manager's answer once this thread has written to the
 * dict before: they resolve once the write is sent (and an earlier call of the dict settled), and
 * every later call from any thread or
 * process that was told of the write on another channel sees it, as in Python. An argument that
 * cannot be sent rejects at the call; a write the manager refuses anyway is reported late (see
 * `set()`).
 *
 * A dict that one thread or process keeps using, that no other writes, and whose values are all
 * plain data (up to 64 KiB) is leased to it: its reads are answered there, without a message, and
 * its writes still reach the manager in order; any other thread's or process's call gets the
 * lease back first, so every answer is the same as without it (the Sharing state guide says what
 * each case costs).
 * @example
 * const manager = Manager();
 * const d = manager.dict<string, number>();
 * await d.set('a', 1);
 * console.log(await d.get('a'), await d.len()); // 1 1
 * await manager.shutdown();
 */
export class DictProxy<K = unknown, V = unknown> extends BaseProxy implements AsyncIterable<K> {
  /**
   * The value of `key`, or `fallback` when absent. Python: `d.get(k, default)` / `d[k]`.
   * @throws {TypeError} (as a rejection, as for every method taking a key) for an unhashable key.
   */
  get(key: K, fallback?: V): Promise<V | undefined> {
    // No fallback, no second argument: the request then stays JSON (the wire's cheap path).
    return withKey(
      key,
      'dict.get()',
      () => (fallback === undefined ? this[leasable]('get', key) : this[leasable]('get', key, fallback)),
      arguments.length,
    ) as Promise<V | undefined>;
  }
  /**
   * Sets `key` to `value`. Python: `d[k] = v`. Resolves once the write is sent (after this
   * thread's first write to the dict, without waiting for the manager's answer); any later read
   * sees it. A write the manager refuses anyway (a value it cannot decode) is reported late: a
   * `ManagerWarning` (code `MP_LATE_WRITE`) at once, and the next call of this dict from this
   * thread rejects with the error.
   * @throws {SerializationError} (as a rejection of this call) when `key` or `value` cannot be sent.
   * @throws {TypeError} (as a rejection) for an unhashable key: an object that is not an array.
   */
  set(key: K, value: V): Promise<void> {
    return withKey(
      key,
      'dict.set()',
      () => namedArgs(KV, () => this[pipelined]('set', key, value)),
      arguments.length,
      2,
    );
  }
  /** Whether `key` is present. Python: `k in d`. */
  has(key: K): Promise<boolean> {
    return withKey(key, 'dict.has()', () => this[leasable]('has', key), arguments.length) as Promise<boolean>;
  }
  /** Removes `key`; resolves to whether it was there. Python: `del d[k]`. */
  delete(key: K): Promise<boolean> {
    return withKey(
      key,
      'dict.delete()',
      () => this[leasable]('delete', key),
      arguments.length,
    ) as Promise<boolean>;
  }
  /**
   * Removes `key` and resolves to its value. A missing key resolves to `fallback` when one is
   * given (also `undefined`: `d.pop(k, undefined)`), and rejects with `KeyError` when none is, as
   * Python's `pop(k)` raises `KeyError`. Python: `pop(k[, default])`.
   * @throws {KeyError} (as a rejection) for a missing key and no `fallback` argument.
   * @throws {TypeError} (as a rejection) for an unhashable key.
   * @example
   * const manager = Manager();
   * const d = manager.dict([['a', 1]]);
   * console.log(await d.pop('a'), await d.pop('a', 0)); // 1 0
   * await d.pop('a').catch((err) => console.log(err.name)); // KeyError
   * await manager.shutdown();
   */
  pop(key: K): Promise<V>;
  pop<D = V>(key: K, fallback: D): Promise<V | D>;
  pop(key: K, ...fallback: unknown[]): Promise<unknown> {
    // The argument count, not the value, says whether a fallback was given (Python's `pop(k)` vs
    // `pop(k, None)`); without one the request stays JSON (the wire's cheap path).
    return withKey(
      key,
      'dict.pop()',
      () => this[leasable]('pop', key, ...fallback.slice(0, 1)),
      arguments.length,
    );
  }
  /**
   * Removes the entry inserted last and resolves to it as `[key, value]` (a tuple key as its
   * array). Python: `popitem()` (LIFO, as since Python 3.7).
   * @throws {KeyError} (as a rejection) when the dict is empty, as Python's `KeyError`.
   * @example
   * const manager = Manager();
   * const d = manager.dict([['a', 1], ['b', 2]]);
   * console.log(await d.popitem(), await d.len()); // [ 'b', 2 ] 1
   * await manager.shutdown();
   */
  popitem(): Promise<[K, V]> {
    return this[leasable]('popitem') as Promise<[K, V]>;
  }
  /** The value of `key`, set to `value` first if absent. Python: `setdefault(k, default)`. */
  setdefault(key: K, value: V): Promise<V> {
    return withKey(
      key,
      'dict.setdefault()',
      () => namedArgs(KV, () => this[leasable]('setdefault', key, value)),
      arguments.length,
    ) as Promise<V>;
  }
  /**
   * Sets every entry of `entries` (pairs, a Map, a plain object, or another dict's proxy). Python:
   * `update()`. Sent without waiting for the manager's answer, as `set()`, except from a proxy:
   * the manager copies the entries of the dict it stands for (as Python's manager reads a proxy
   * argument's referent), and this call waits for that.
   * @throws {ValidationError} (as a rejection) when `entries` is not pairs, a Map, an object or a
   *   dict proxy (a Namespace proxy gives its names; a list proxy its items, each a pair), or is a
   *   proxy of a manager this one cannot read (pass `await p.copy()`).
   * @throws {TypeError} (as a rejection) for an unhashable key among `entries`; nothing is written.
   * @example
   * const manager = Manager();
   * const d = manager.dict([['a', 1]]);
   * await d.update(manager.dict([['b', 2]]));
   * console.log(await d.copy()); // Map(2) { 'a' => 1, 'b' => 2 }
   * await manager.shutdown();
   */
  update(entries: Iterable<[K, V]> | Record<string, V> | DictProxy<K, V> | ListProxy<[K, V]>): Promise<void> {
    let checked: unknown;
    try {
      checked = dictEntries(entries, 'dict.update()');
    } catch (err) {
      return Promise.reject(err);
    }
    // The manager may refuse a proxy (not a dict's, another manager's): the call waits for it.
    if (refOf(checked) !== undefined) return this.callMethod('update', checked) as Promise<void>;
    return namedArgs(['entries'], () => this[pipelined]('update', checked));
  }
  /** The keys, in insertion order. Python: `keys()`. */
  keys(): Promise<K[]> {
    return this[leasable]('keys') as Promise<K[]>;
  }
  /** The values. Python: `values()`. */
  values(): Promise<V[]> {
    return this[leasable]('values') as Promise<V[]>;
  }
  /** The `[key, value]` pairs. Python: `items()`. */
  items(): Promise<[K, V][]> {
    return this[leasable]('items') as Promise<[K, V][]>;
  }
  /** The number of entries. Python: `len(d)`. */
  len(): Promise<number> {
    return this[leasable]('len') as Promise<number>;
  }
  /** Removes every entry. Python: `clear()`. */
  clear(): Promise<void> {
    return this[leasable]('clear') as Promise<void>;
  }
  /** A copy as a `Map` (a tuple key is an array there: look it up by value in the dict, not the Map). Python: `copy()` / `dict(d)`. */
  copy(): Promise<Map<K, V>> {
    return this[leasable]('copy') as Promise<Map<K, V>>;
  }
  /**
   * `for await (const k of d)`: the keys the dict had when the loop started, in insertion order,
   * skipping each one deleted before the loop reaches it (as a `Map` iterator skips it; Python's
   * iterator raises `RuntimeError` once the dict changed size). Keys added meanwhile are not
   * visited. Each key costs one round trip, as each `next()` of Python's iterator proxy does. A
   * synchronous loop (`for...of`, `[...d]`, `Array.from(d)`) throws `ContextError` saying so.
   */
  async *[Symbol.asyncIterator](): AsyncIterator<K> {
    for (const key of await this.keys()) if (await this.has(key)) yield key;
  }
}
proxyClass('dict', DictProxy);
refuseExtraArguments(DictProxy.prototype, 'dict');
refuseSyncIteration(DictProxy.prototype, 'dict', 'd', 'await d.keys()');
