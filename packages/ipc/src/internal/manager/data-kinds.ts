/**
 * The kinds of served data a manager may lease with a replica (served-data-lease.ts,
 * client-data-lease.ts): for each, which methods read and which change it, what its replica is
 * made of, and which arguments must be plain data. The replica is the manager's own class
 * (served-dict.ts, served-data.ts), so a mutation computes there what it computes in the manager.
 */
import type { Typecode } from '@multiproc/shared';
import { jsonExact } from '../serialize.js';
import { ManagedNamespace, ManagedValue } from './served-data.js';
import { ManagedDict } from './served-dict.js';

/** The largest replica leased out: about this many bytes of state, as JSON text would be. */
export const LEASE_BYTES = 64 * 1024;

/**
 * Whether `v` is plain data: a primitive, or an object JSON gives back exactly. A replica holds
 * only such values, copied in and out (structured clone gives back the same), never an object the
 * manager decodes into one of its own (a proxy, a queue).
 */
export function isPlain(v: unknown): boolean {
  const t = typeof v;
  if (v === null || (t !== 'object' && t !== 'function' && t !== 'symbol')) return true;
  return t === 'object' && jsonExact(v);
}

/** About how many bytes `v` takes on the wire; Infinity when it is not plain. */
function sizeOf(v: unknown): number {
  if (typeof v === 'string') return v.length + 5;
  if (typeof v !== 'object' || v === null) return 9;
  if (Array.isArray(v) && !jsonExact(v)) return v.reduce((n: number, x) => n + sizeOf(x), 5); // a tuple key
  return jsonExact(v) ? JSON.stringify(v).length + 5 : Number.POSITIVE_INFINITY;
}

/** Whether `pairs` (keys and values) may be leased: plain values, no more than {@link LEASE_BYTES}. */
function fits(pairs: Iterable<readonly [unknown, unknown]>): boolean {
  let bytes = 0;
  for (const [k, v] of pairs) {
    bytes += sizeOf(k) + sizeOf(v);
    if (bytes > LEASE_BYTES) return false;
  }
  return true;
}

/** One kind of leasable data. */
export interface DataKind {
  /** Its methods that only read (a holder answers them from its replica). */
  readonly reads: ReadonlySet<string>;
  /** Its methods that change it (a holder applies them to its replica and sends them on). */
  readonly writes: ReadonlySet<string>;
  /** Those of its writes a proxy pipelines (client-pipeline.ts): they never waited for an answer. */
  readonly pipelined: ReadonlySet<string>;
  /** The state a replica is made from, or undefined when it may not be leased (not plain, too big). */
  state(obj: object): unknown;
  /** A replica made from `state` (what {@link state} gave, as the wire copies it). */
  replica(state: unknown): object;
  /** Whether the values among the arguments of `method` are plain data. */
  plainArgs(method: string, args: readonly unknown[]): boolean;
}

const second = (_m: string, args: readonly unknown[]) => args.length < 2 || isPlain(args[1]);

const dict: DataKind = {
  reads: new Set(['get', 'has', 'keys', 'values', 'items', 'len', 'copy']),
  writes: new Set(['set', 'update', 'delete', 'pop', 'setdefault', 'clear']),
  pipelined: new Set(['set', 'update']),
  state: (obj) => {
    const items = (obj as ManagedDict).items();
    return fits(items) ? items : undefined;
  },
  replica: (state) => new ManagedDict(state as [unknown, unknown][]),
  plainArgs: (method, args) => {
    if (method !== 'update') return second(method, args);
    const e = args[0];
    const values = Array.isArray(e) ? e.map((p) => (p as unknown[])[1]) : Object.values(e as object);
    return values.every(isPlain);
  },
};

const namespace: DataKind = {
  reads: new Set(['get', 'copy']),
  writes: new Set(['set', 'delete']),
  pipelined: new Set(['set']),
  state: (obj) => {
    const o = (obj as ManagedNamespace).copy();
    return fits(Object.entries(o)) ? o : undefined;
  },
  replica: (state) => new ManagedNamespace(state as Record<string, unknown>),
  plainArgs: second,
};

const value: DataKind = {
  reads: new Set(['get']),
  writes: new Set(['set']),
  pipelined: new Set(),
  state: (obj) => [(obj as ManagedValue).typecode, (obj as ManagedValue).get()],
  replica: (state) => new ManagedValue(...(state as [Typecode, number | bigint])),
  plainArgs: () => true, // a number or bigint, or refused alike by both
};

/** The leasable kinds, by the typeid a manager serves them as. */
export const DATA_KINDS: Readonly<Record<string, DataKind>> = { dict, Namespace: namespace, Value: value };
