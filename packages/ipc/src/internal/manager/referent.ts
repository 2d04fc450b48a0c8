/**
 * A proxy given as the argument of a manager call that copies contents stands for its referent,
 * as in Python, whose manager rebuilds a proxy of its own objects into one it reads through
 * (`RebuildProxy`): `d.update(p)` and `manager.dict(p)` copy the entries of a dict proxy `p`,
 * `l.extend(p)`, `l.setSlice(i, j, p)` and `manager.list(p)` the items of a list or Array proxy
 * (a dict's keys, as Python's `list(d)`), `manager.Namespace(p)` the names of a Namespace or dict
 * proxy. A proxy arrives at the manager decoded into a proxy object; without this, it was stored
 * as its own fields (a symbol that no answer could carry, poisoning the container). A proxy stored
 * as a value (`l.append(p)`, `d.set(k, p)`) stays a proxy: only these copying arguments are read.
 *
 * The referent is read where the manager serves it, in the thread that hosts it: a proxy of a
 * manager this thread does not serve (another program's) cannot be read synchronously and is
 * refused with a `ValidationError` saying to pass its copy.
 */
import { ValidationError } from '@multiproc/shared';
import type { Served } from './served-sync.js';
import type { Owner } from './wait-list.js';
import { type ProxyRef, proxyRef, type Request } from './wire.js';

/** The servers this thread hosts, by instance: their objects by id. */
const hosted = new Map<string, (id: number) => Served | undefined>();

/** Server `instance` serves its objects from this thread (null: no longer). */
export function hostReferents(instance: string, lookup: ((id: number) => Served | undefined) | null): void {
  lookup === null ? hosted.delete(instance) : hosted.set(instance, lookup);
}

/** The reference of `v` when it is a manager proxy, else undefined. */
export function refOf(v: unknown): ProxyRef | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  try {
    return (v as { [proxyRef]?: ProxyRef })[proxyRef];
  } catch {
    return undefined;
  }
}

/** Whether `a` and `b` are proxies of one object (Python compares what they stand for). */
export function sameReferent(a: unknown, b: unknown): boolean {
  const x = refOf(a);
  const y = refOf(b);
  return (
    x !== undefined && y !== undefined && x.id === y.id && x.server === y.server && x.authkey === y.authkey
  );
}

/** What a copying argument's referent may be read as. */
interface Container {
  copy(): unknown;
  keys?(): unknown[];
  items?(): [unknown, unknown][];
}

function referent(ref: ProxyRef, where: string): Container {
  const served = ref.server === undefined ? undefined : hosted.get(ref.server)?.(ref.id);
  if (served?.referent === undefined) {
    throw new ValidationError(
      `${where}: the ${ref.typeid} proxy given is of a manager this thread does not serve, or its ` +
        'object is gone; pass its contents instead (`await p.copy()`).',
    );
  }
  return served.referent as Container;
}

function notA(ref: ProxyRef, where: string, wants: string): ValidationError {
  const what = ref.auto ? `a proxy of the registered type '${ref.typeid}'` : `a ${ref.typeid} proxy`;
  return new ValidationError(
    `${where}: got ${what}, which holds no ${wants}. Pass ${wants === 'items' ? 'an iterable, or a list, Array or dict proxy' : 'pairs, a Map, a plain object, or a dict proxy'}.`,
  );
}

/**
 * The items a proxy argument `v` stands for (a list's or Array's items, a dict's keys), or
 * undefined when `v` is no proxy. @throws {ValidationError} for a proxy that holds no items.
 */
export function itemsOf(v: unknown, where: string): unknown[] | undefined {
  const ref = refOf(v);
  if (ref === undefined) return undefined;
  if (ref.auto || (ref.typeid !== 'list' && ref.typeid !== 'Array' && ref.typeid !== 'dict'))
    throw notA(ref, where, 'items');
  const obj = referent(ref, where);
  return ref.typeid === 'dict' ? obj.keys!() : (obj.copy() as unknown[]);
}

/**
 * The `[key, value]` entries a proxy argument `v` stands for (a dict's, a Namespace's names, a
 * list's items when each is a pair), or undefined when `v` is no proxy.
 * @throws {ValidationError} for a proxy that holds no entries.
 */
export function entriesOf(v: unknown, where: string): [unknown, unknown][] | undefined {
  const ref = refOf(v);
  if (ref === undefined) return undefined;
  const typeid = ref.auto ? '' : ref.typeid;
  if (typeid === 'dict') return referent(ref, where).items!();
  if (typeid === 'Namespace') return Object.entries(referent(ref, where).copy() as Record<string, unknown>);
  if (typeid === 'list') {
    const items = referent(ref, where).copy() as unknown[];
    const bad = items.findIndex((p) => !Array.isArray(p) || p.length !== 2);
    if (bad >= 0)
      throw new ValidationError(`${where}: item ${bad} of the list proxy given is not a [key, value] pair.`);
    return items as [unknown, unknown][];
  }
  throw notA(ref, where, 'entries');
}

/** What {@link readsOthersWrites} asks of the server. */
export interface WritesOf {
  readonly instance: string;
  /** Whether a connection other than `owner` pipelines writes of object `id` (writers.ts). */
  othersWrite(id: number, owner: Owner): boolean;
  object(id: number): Served | undefined;
}

/**
 * Whether the call `[id, method, args]` from `owner` copies the referent of a proxy argument that
 * another connection may still be writing (its pipelined writes unread, or the dict leased to it):
 * then it waits one more poll of the manager's sockets, as a call of such an object does (writers.ts).
 */
export function readsOthersWrites(server: WritesOf, [id, method, args]: Request, owner: Owner): boolean {
  let copied: readonly unknown[];
  if (id === 0) copied = method === 'create' && Array.isArray(args[1]) ? args[1] : [];
  else copied = method === 'update' || method === 'extend' ? args : [];
  for (const v of copied) {
    const ref = refOf(v);
    if (ref === undefined || ref.server !== server.instance) continue;
    if (server.othersWrite(ref.id, owner)) return true;
    const holder = server.object(ref.id)?.leasedTo?.();
    if (holder != null && holder !== owner) return true;
  }
  return false;
}
