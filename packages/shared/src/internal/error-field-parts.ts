/**
 * A thrown error's field (or cause) that cannot be sent as a whole because of one part of it
 * (`{ request: { url, transform: () => 1 } }`): only that part stands in, as the codec's
 * `SerializationError` naming it (`error.request.transform`), and the rest of the field arrives
 * (`request.url`). Used by `error-record.ts` after the field failed to encode, so a field that
 * encodes (the common case) costs nothing more. An error sent as a value never gets here: one
 * part it cannot send refuses the whole send.
 *
 * The field is copied along the path to each bad part only (plain objects and arrays, which the
 * receiver gets as plain copies anyway), the copies keeping the shape of the original: a part seen
 * twice (a shared object, a cycle) is the same copy each time. Each bad part costs one more encode
 * of the field, up to {@link MAX_STAND_INS}; past that, for a bad part more than
 * {@link MAX_SPLIT_DEPTH} levels down (a value refused for nesting too deep), or one the walk
 * cannot reach (in a Map, a Set, an object with its own encoder), the whole field stands in, as before.
 */
import { isEncodable } from '../codec.js';
import { ProcessError, SerializationError } from '../errors.js';
import { unreadablePartError } from './error-parts.js';
import { isError } from './realms.js';

/** How many bad parts of one field stand in alone before the whole field does. */
const MAX_STAND_INS = 16;

/** How many containers deep under the field a bad part may be to stand in alone (deeper: the whole field). */
const MAX_SPLIT_DEPTH = 16;

/** Sets `node[key]` by definition, not assignment: an own `__proto__` key stays a field. */
function put(node: Record<string, unknown>, key: string, value: unknown): unknown {
  Object.defineProperty(node, key, { value, writable: true, enumerable: true, configurable: true });
  return value;
}

/** Whether the codec walks `value` as a plain object or an array (so the receiver gets a plain copy). */
function splittable(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return true;
  if (isEncodable(value) || isError(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A copy of `node` (a plain object or an array) with a getter that throws standing in as the error naming it. */
function copyOf(node: Record<string, unknown>, at: string): Record<string, unknown> {
  const array = Array.isArray(node);
  const copy: Record<string, unknown> = array ? (new Array(node.length) as never) : {};
  for (const key of Object.keys(node)) {
    const keyPath = array && /^\d+$/.test(key) ? `${at}[${key}]` : `${at}.${key}`;
    let value: unknown;
    try {
      value = node[key];
    } catch (readErr) {
      value = unreadablePartError(keyPath, readErr);
    }
    put(copy, key, value);
  }
  return copy;
}

/** The own key of `node` at `at` whose path leads to `path` (the longest such), or undefined. */
function keyToward(node: Record<string, unknown>, at: string, path: string): string | undefined {
  let found: string | undefined;
  let foundLength = -1;
  const array = Array.isArray(node);
  for (const key of Object.keys(node)) {
    const keyPath = array && /^\d+$/.test(key) ? `${at}[${key}]` : `${at}.${key}`;
    if (!path.startsWith(keyPath) || keyPath.length <= foundLength) continue;
    const next = path[keyPath.length];
    if (next === undefined || next === '.' || next === '[' || next === '<') {
      found = key;
      foundLength = keyPath.length;
    }
  }
  return found;
}

/** How many containers under the field at `path` the part at `bad` is (at least: a key may hold a dot). */
function levelsUnder(bad: string, path: string): number {
  let levels = 0;
  for (let i = path.length; i < bad.length; i++) if (bad[i] === '.' || bad[i] === '[') levels++;
  return levels;
}

/** Copies made on the way to bad parts: each original's one copy, and which objects are copies. */
class Copies {
  readonly #of = new Map<object, Record<string, unknown>>();
  readonly #made = new Set<object>();
  /** The copy of `node` made before, if any (a copy is its own). */
  existing(node: object): Record<string, unknown> | undefined {
    return this.#made.has(node) ? (node as Record<string, unknown>) : this.#of.get(node);
  }
  make(node: Record<string, unknown>, at: string): Record<string, unknown> {
    const copy = copyOf(node, at);
    this.#of.set(node, copy);
    this.#made.add(copy);
    return copy;
  }
}

/**
 * An error on the way to a bad part, with its own bad parts standing in (error-kept.ts): given by
 * a caller whose `encode` refuses an error as a whole for one of its parts (ipc's manager, which
 * sends errors in a field as values), so only that part of the error stands in.
 */
export type KeepError = (err: Error, path: string) => Error;

/**
 * `value` (the field at `path` that `encode` refused with `refusal`) packed with each bad part
 * standing in alone, or null when the whole field must stand in. `encode` packs a value for the
 * field's place (throwing a `ProcessError` for a part it cannot send) and embeds an `Error` in it
 * as a record, so a stand-in arrives as the `SerializationError` itself. `keep`: see {@link KeepError}.
 */
export function packSendableParts(
  value: unknown,
  path: string,
  refusal: ProcessError,
  encode: (value: unknown) => unknown,
  keep?: KeepError,
): { value: unknown } | null {
  if (!splittable(value)) return null;
  const copies = new Copies();
  let error: ProcessError = refusal;
  let lastPath = '';
  try {
    const root = copies.make(value, path);
    for (let standIns = 0; standIns < MAX_STAND_INS; standIns++) {
      const bad = error instanceof SerializationError ? error.path : undefined;
      // Not a part under the field, or the same part again (a path misread): the whole field.
      if (bad === undefined || bad === path || bad === lastPath) return null;
      // Deeper than MAX_SPLIT_DEPTH (a value nested too deep, refused for its depth): the whole field.
      if (levelsUnder(bad, path) > MAX_SPLIT_DEPTH) return null;
      lastPath = bad;
      if (!standInAt(root, path, bad, error, copies, keep)) return null;
      try {
        return { value: encode(root) };
      } catch (next) {
        if (!(next instanceof ProcessError)) return null;
        error = next;
      }
    }
  } catch {
    // The field throws while copied (a Proxy's key list): nothing to keep apart.
  }
  return null;
}

/**
 * Walks from `root` (a copy, at `at`) toward the part at `bad`, copying what it passes through,
 * and puts `error` in that part's place (or in the place of the container holding it, where the
 * walk cannot go on; an error holding it: that error as `keep` keeps it). An original met again (a shared object, a cycle) is pointed at its copy
 * instead, which may already hold the fix: the field is encoded again. False: no part toward
 * `bad` found.
 */
function standInAt(
  root: Record<string, unknown>,
  at: string,
  bad: string,
  error: ProcessError,
  copies: Copies,
  keep: KeepError | undefined,
): boolean {
  let node = root;
  let nodePath = at;
  for (let depth = 1; ; depth++) {
    const key = keyToward(node, nodePath, bad);
    if (key === undefined) return false;
    const keyPath = Array.isArray(node) && /^\d+$/.test(key) ? `${nodePath}[${key}]` : `${nodePath}.${key}`;
    const child = node[key];
    if (keyPath === bad || !splittable(child) || depth > MAX_SPLIT_DEPTH) {
      // An error holding the bad part keeps its other parts, where the caller can keep them.
      const kept = keep && keyPath !== bad && isError(child) ? keep(child, keyPath) : error;
      put(node, key, kept);
      return true;
    }
    const existing = copies.existing(child);
    if (existing !== undefined && existing !== child) {
      put(node, key, existing);
      return true;
    }
    node = existing ?? (put(node, key, copies.make(child, keyPath)) as Record<string, unknown>);
    nodePath = keyPath;
  }
}
