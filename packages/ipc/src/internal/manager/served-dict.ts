/**
 * Python's `dict` as the manager serves it: a Map in insertion order whose keys are primitives or
 * tuples (arrays compared by value; see dict-key.ts). A tuple is stored under one symbol per
 * distinct value, so the Map keeps a single insertion order over both kinds of key:
 *
 *   #map:    slot -> value            (slot: the primitive key itself, or a tuple's symbol)
 *   #tuples: tuple's encoding -> symbol
 *   #keyOf:  symbol -> the array first stored under it (what keys() and items() give back)
 *   #order:  every slot in the order it was added (a Map cannot be read from its end), with
 *            slots deleted since left in place: popitem() pops from its end past those, O(1)
 *            amortized; it is rebuilt from #map once it is more than twice as long.
 *
 * The last slot of #order that #map holds is #map's last key: a slot is pushed only when added
 * (a set of a present key keeps its place, in both), so an entry after a present slot's own latest
 * one is of a slot deleted since.
 */
import { describeValue, ValidationError } from '@multiproc/shared';
import { KeyError } from '../../errors.js';
import { tupleKeyOf } from './dict-key.js';
import { namedEntries } from './items.js';
import { entriesOf } from './referent.js';

/** The slot of a tuple never stored: in no Map (`undefined` may be a key). */
const ABSENT = Symbol('absent');

/** A dict's entries given as something else (a Date, a number): Python's `dict(x)` TypeError. */
function notEntries(v: unknown, where: string): never {
  throw new ValidationError(`${where}: expected pairs, a Map or a plain object, got ${describeValue(v)}.`);
}

/** A key as a message shows it: a string quoted, a bigint with `n`, a tuple as `[a, b]`. */
function describeKey(k: unknown): string {
  if (typeof k === 'string') return JSON.stringify(k.length > 60 ? `${k.slice(0, 60)}...` : k);
  if (typeof k === 'bigint') return `${k}n`;
  if (Array.isArray(k)) return `[${k.map(describeKey).join(', ')}]`;
  return String(k);
}

export class ManagedDict {
  readonly #map = new Map<unknown, unknown>();
  readonly #tuples = new Map<string, symbol>();
  readonly #keyOf = new Map<symbol, unknown>();
  #order: unknown[] = [];

  constructor(init?: Iterable<[unknown, unknown]> | Record<string, unknown>) {
    if (init) this.#assign(init, 'manager.dict()');
  }

  /** The Map key of `k`: itself, or its tuple's symbol (made when `create`, else ABSENT if none). */
  #slot(k: unknown, where: string, create: boolean): unknown {
    const tuple = tupleKeyOf(k, where);
    if (tuple === undefined) return k;
    let slot = this.#tuples.get(tuple);
    if (slot !== undefined) return slot;
    if (!create) return ABSENT;
    slot = Symbol(tuple);
    this.#tuples.set(tuple, slot);
    this.#keyOf.set(slot, k);
    return slot;
  }

  /** Deletes present `slot`; #order is rebuilt once deleted slots make it twice as long (amortized O(1)). */
  #remove(slot: unknown): void {
    const map = this.#map;
    map.delete(slot);
    this.#forget(slot);
    if (this.#order.length > 2 * map.size + 32) this.#order = [...map.keys()];
  }

  #forget(slot: unknown): void {
    if (typeof slot !== 'symbol') return;
    this.#tuples.delete(slot.description as string);
    this.#keyOf.delete(slot);
  }

  #keyFor(slot: unknown): unknown {
    return typeof slot === 'symbol' ? this.#keyOf.get(slot) : slot;
  }

  #assign(entries: Iterable<[unknown, unknown]> | Record<string, unknown>, where: string): void {
    const pairs =
      entriesOf(entries, where) ??
      (Symbol.iterator in Object(entries)
        ? (entries as Iterable<[unknown, unknown]>)
        : (namedEntries(entries) ?? notEntries(entries, where)));
    const checked: [unknown, unknown][] = [];
    // Every key is checked before any is stored: a refused update changes nothing.
    for (const [k, v] of pairs) {
      tupleKeyOf(k, where);
      checked.push([k, v]);
    }
    for (const [k, v] of checked) this.#put(this.#slot(k, where, true), v);
  }

  /** Stores `v` at `slot`, which goes last when it is new. */
  #put(slot: unknown, v: unknown): void {
    const map = this.#map;
    const n = map.size;
    map.set(slot, v);
    if (map.size !== n) this.#order.push(slot);
  }

  get(k: unknown, d?: unknown): unknown {
    const slot = this.#slot(k, 'dict.get()', false);
    return this.#map.has(slot) ? this.#map.get(slot) : d;
  }
  set(k: unknown, v: unknown): void {
    this.#put(this.#slot(k, 'dict.set()', true), v);
  }
  has(k: unknown): boolean {
    return this.#map.has(this.#slot(k, 'dict.has()', false));
  }
  delete(k: unknown): boolean {
    const slot = this.#slot(k, 'dict.delete()', false);
    if (!this.#map.has(slot)) return false;
    this.#remove(slot);
    return true;
  }
  /** Python's `pop(k)` (no fallback: a missing key throws KeyError) and `pop(k, d)`. */
  pop(k: unknown, ...fallback: unknown[]): unknown {
    const slot = this.#slot(k, 'dict.pop()', false);
    if (!this.#map.has(slot)) {
      if (fallback.length > 0) return fallback[0];
      throw new KeyError(
        `dict.pop(): no key ${describeKey(k)}. Pass a fallback (d.pop(key, undefined)) or check d.has(key) first.`,
      );
    }
    const v = this.#map.get(slot);
    this.#remove(slot);
    return v;
  }
  /** Removes the last inserted entry and returns it as `[key, value]` (Python 3.7+: LIFO). */
  popitem(): [unknown, unknown] {
    const map = this.#map;
    if (map.size === 0) {
      this.#order = [];
      throw new KeyError('dict.popitem(): the dict is empty. Check await d.len() first.');
    }
    const order = this.#order;
    let last = order.pop();
    while (!map.has(last)) last = order.pop(); // deleted since it was added
    const item: [unknown, unknown] = [this.#keyFor(last), map.get(last)];
    this.#remove(last);
    return item;
  }
  setdefault(k: unknown, d?: unknown): unknown {
    const slot = this.#slot(k, 'dict.setdefault()', true);
    if (!this.#map.has(slot)) this.#put(slot, d);
    return this.#map.get(slot);
  }
  update(entries: Iterable<[unknown, unknown]> | Record<string, unknown>): void {
    this.#assign(entries, 'dict.update()');
  }
  keys(): unknown[] {
    return [...this.#map.keys()].map((slot) => this.#keyFor(slot));
  }
  values(): unknown[] {
    return [...this.#map.values()];
  }
  items(): [unknown, unknown][] {
    return [...this.#map].map(([slot, v]) => [this.#keyFor(slot), v]);
  }
  len(): number {
    return this.#map.size;
  }
  clear(): void {
    this.#order = [];
    this.#map.clear();
    this.#tuples.clear();
    this.#keyOf.clear();
  }
  copy(): Map<unknown, unknown> {
    return new Map(this.items());
  }
}
