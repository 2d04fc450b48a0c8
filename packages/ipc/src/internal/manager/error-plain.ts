/**
 * A plain object, array, `Map` or `Set` in a manager error's field (or cause) that holds errors
 * (`{ peer: e }`, `[e1, e2]`, `new Map([['self', e]])`): sent as a copy whose errors are the answer's own records (`{ [ERROR_KEY]: record }`,
 * error-wire.ts), not as a value the codec encodes apart. So an error held both there and elsewhere
 * in the error (itself, its cause, another field) arrives as one error, and a cycle through the
 * container (`e.peer = { back: e }`) as a cycle, as a pool task's error keeps them. A container
 * without errors goes as before (`{ value }`), and so does one that cannot be read as plain data.
 */

/** The key of the stand-in for an error inside a container's copy. */
export const ERROR_KEY = 'multiproc.managerError';

/** How many containers deep an error is looked for (deeper ones go as values, as before). */
const MAX_LEVELS = 32;

/** Whether `v` is a plain object or array: what the copy keeps the shape of. */
function isContainer(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return Array.isArray(v) ? proto === Array.prototype : proto === Object.prototype || proto === null;
}

/** Whether `v` is a `Map` or `Set` (not a subclass): copied too, its entries in order. */
function isCollection(v: unknown): v is Map<unknown, unknown> | Set<unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Map.prototype || proto === Set.prototype;
}

/** What a container holds, in order: a Map's keys and values, a Set's items, the fields of the rest. */
function partsOf(v: Record<string, unknown> | Map<unknown, unknown> | Set<unknown>): unknown[] {
  if (v instanceof Map) return [...v].flat();
  if (v instanceof Set) return [...v];
  return Object.keys(v).map((key) => v[key]);
}

/** Whether `v` (read as plain data) holds an Error within {@link MAX_LEVELS} containers. */
function holdsError(v: unknown, seen: Set<object>, level: number): boolean {
  if (v instanceof Error) return true;
  if (level > MAX_LEVELS || !(isContainer(v) || isCollection(v)) || seen.has(v)) return false;
  seen.add(v);
  for (const part of partsOf(v)) if (holdsError(part, seen, level + 1)) return true;
  return false;
}

/**
 * `value`'s copy with each error in it as `{ [ERROR_KEY]: nest(error) }` (its record, or a
 * reference to an error being written), shared parts and cycles kept; `undefined` when `value` is
 * no container holding an error, or reading it throws (a getter): it then goes as a value.
 * `copies`: the copies made so far for the same answer (each container -> its copy), so a container
 * held by two fields of the error (`e.o = o; e.list = [o]`) is one copy, and arrives as one object.
 */
export function plainWithErrors(
  value: unknown,
  nest: (err: Error) => unknown,
  copies: Map<object, unknown> = new Map(),
): { plain: unknown } | undefined {
  try {
    if (!(isContainer(value) || isCollection(value)) || !holdsError(value, new Set(), 0)) return undefined;
    if (copies.has(value)) return { plain: copies.get(value) };
    const copy = (v: unknown): unknown => {
      if (v instanceof Error) return { [ERROR_KEY]: nest(v) };
      if (copies.has(v as object)) return copies.get(v as object);
      if (v instanceof Map && isCollection(v)) {
        const out = new Map();
        copies.set(v, out);
        for (const [key, item] of v) out.set(copy(key), copy(item));
        return out;
      }
      if (v instanceof Set && isCollection(v)) {
        const out = new Set();
        copies.set(v, out);
        for (const item of v) out.add(copy(item));
        return out;
      }
      if (!isContainer(v)) return v;
      const out: Record<string, unknown> = Array.isArray(v) ? (new Array(v.length) as never) : {};
      copies.set(v, out);
      for (const key of Object.keys(v)) {
        Object.defineProperty(out, key, {
          value: copy(v[key]),
          writable: true,
          enumerable: true,
          configurable: true,
        });
      }
      return out;
    };
    return { plain: copy(value) };
  } catch {
    return undefined;
  }
}

/** Whether `v` is the stand-in of an error in a container's copy. */
export function isErrorStandIn(v: unknown): v is { [ERROR_KEY]: unknown } {
  return isContainer(v) && !Array.isArray(v) && Object.hasOwn(v, ERROR_KEY) && Object.keys(v).length === 1;
}

/**
 * Walks a received copy (in the order it was written), each stand-in replaced by `each(its nested
 * record, its path)`; `path` names the container (`error.peer`). Changes the copy in place.
 */
export function mapStandIns(
  plain: unknown,
  path: string,
  each: (nested: unknown, path: string) => unknown,
): unknown {
  const seen = new Set<object>();
  const walk = (v: unknown, at: string): unknown => {
    if (isErrorStandIn(v)) return each(v[ERROR_KEY], at);
    if (!(isContainer(v) || isCollection(v)) || seen.has(v)) return v;
    seen.add(v);
    if (v instanceof Map || v instanceof Set) {
      const entries = [...v.entries()];
      v.clear();
      for (const [key, item] of entries) {
        if (v instanceof Set) v.add(walk(item, `${at}.<item>`));
        else v.set(walk(key, `${at}.<key>`), walk(item, `${at}.get()`));
      }
      return v;
    }
    const array = Array.isArray(v);
    for (const key of Object.keys(v)) v[key] = walk(v[key], array ? `${at}[${key}]` : `${at}.${key}`);
    return v;
  };
  return walk(plain, path);
}
