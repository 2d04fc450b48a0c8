/**
 * Values through Redis: the structured-clone algorithm (`v8.serialize`, as between local
 * processes) in base64, so Maps, Dates, typed arrays, bigints and errors arrive as they were sent.
 * Before a value is packed, {@link assertPortable} names the first part that cannot leave this
 * machine (a function, a queue, shared memory) with the same error classes as the local pool.
 */
import { deserialize, serialize } from 'node:v8';
import { ContextError, isTaskRef, SerializationError } from '@multiproc/core';
import { encodeValue, isEncodable } from '@multiproc/shared';

/** `value` as base64 text of its structured clone. */
export function pack(value: unknown): string {
  return serialize(value).toString('base64');
}

/** The value {@link pack} packed. */
export function unpack(text: string): unknown {
  return deserialize(Buffer.from(text, 'base64'));
}

/** `value`'s structured clone as bytes (a large result, stored as it is). */
export function packBytes(value: unknown): Buffer {
  return serialize(value);
}

/** The value {@link packBytes} packed. */
export function unpackBytes(bytes: Uint8Array): unknown {
  return deserialize(bytes);
}

/**
 * Why structured clone refused what {@link assertPortable} let through (a `WeakMap`, a `Promise`, a
 * `Blob`: what only v8 refuses), named as the local pool names it: core's codec walks the value
 * again, on this failure path only. `payload` is an `apply`'s argument list, or the items of a
 * map's job, the first being item `base` of the call's input.
 */
export function unclonable(
  error: unknown,
  payload: readonly unknown[],
  kind: 'apply' | 'map' | 'star',
  base: number,
): SerializationError {
  try {
    if (kind === 'apply') encodeValue(payload, 'process', 'args');
    else for (let i = 0; i < payload.length; i++) encodeValue(payload[i], 'process', `items[${base + i}]`);
  } catch (named) {
    if (named instanceof SerializationError) return named;
  }
  const path = kind === 'apply' ? 'args' : 'items';
  return new SerializationError(
    path,
    `Cannot send ${path} through Redis: ${(error as Error)?.message ?? String(error)}. Send plain data ` +
      '(structured-cloneable values) instead.',
    { cause: error },
  );
}

/** Whether every item is a primitive other than a symbol (the common case: nothing to walk). */
export function allPlain(items: readonly unknown[]): boolean {
  for (let i = 0; i < items.length; i++) {
    const t = typeof items[i];
    if ((t === 'object' && items[i] !== null) || t === 'function' || t === 'symbol') return false;
  }
  return true;
}

/**
 * {@link assertPortable} for each of `items`, each named `${name}[${base + i}]` and held by the list
 * (depth 1), as the core Pool names a map item (`items[3].cb`) or a result (`result[3]`).
 */
export function assertItemsPortable(items: readonly unknown[], name: string, base = 0): void {
  if (allPlain(items)) return;
  for (let i = 0; i < items.length; i++) assertPortable(items[i], `${name}[${base + i}]`, undefined, 1);
}

/** `Object.prototype.toString` tags of what v8's serializer copies whole (data, not platform objects). */
const DATA_TAGS = new Set(
  ['Object', 'Array', 'Map', 'Set', 'RegExp', 'Error', 'Boolean', 'Number', 'String', 'BigInt'].map(
    (name) => `[object ${name}]`,
  ),
);

/**
 * How many containers may hold an object that is sent, as in the local pool (its codec's limit):
 * a deeper value would overflow the receiving worker's stack as it is rebuilt.
 */
const MAX_NESTING = 1000;

/**
 * Throws for the first part of `value` that cannot travel to another machine, naming its path:
 * `SerializationError` for a function, symbol, task reference, `MessagePort` or multiproc queue or
 * pipe, or a value nested more than {@link MAX_NESTING} levels deep (`depth`: how many containers
 * hold `value`); `ContextError` for shared memory (as for a `'process'` context).
 */
export function assertPortable(value: unknown, path: string, seen = new Set<object>(), depth = 0): void {
  const t = typeof value;
  if (t === 'symbol') throw unsendable(path, 'a symbol');
  if (t === 'function') {
    throw isTaskRef(value)
      ? unsendable(path, 'a task reference', 'pass its name and pick the task inside the task function')
      : unsendable(path, 'a function');
  }
  if (t !== 'object' || value === null || seen.has(value as object)) return;
  const object = value as object;
  seen.add(object);
  if (object instanceof SharedArrayBuffer || isSharedView(object)) throw sharedMemory(path);
  if (isEncodable(value)) {
    // Shared memory gets a ContextError, as for a 'process' context; anything else that owns a
    // local resource (a Queue, a Pipe end) cannot travel through Redis at all.
    try {
      encodeValue(value, 'process', path);
    } catch (error) {
      throw error instanceof ContextError ? sharedMemory(path, error) : error;
    }
    throw unsendable(
      path,
      `a ${(value as { constructor?: { name?: string } }).constructor?.name ?? 'multiproc object'}`,
    );
  }
  if (typeof MessagePort === 'function' && value instanceof MessagePort)
    throw unsendable(path, 'a MessagePort');
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof Date) return;
  const tag = Object.prototype.toString.call(value);
  if (!DATA_TAGS.has(tag)) {
    // A platform object (a URL, a Blob, Headers, an AbortSignal): v8's serializer turns it into {}
    // (a Blob too on Node 22+; Node 20 threw for it), so it would arrive as an empty object.
    throw unsendable(
      path,
      `a ${tag.slice(8, -1)}, a platform object (it would arrive as {})`,
      "Send its data instead: a URL's href, a Blob's bytes (await blob.arrayBuffer()), a plain object of Headers",
    );
  }
  if (depth >= MAX_NESTING) throw tooDeep(path);
  const inner = depth + 1;
  if (value instanceof Error) {
    // Not enumerable, so the walk of own keys below would not see them.
    if (Object.hasOwn(value, 'cause')) assertPortable(value.cause, `${path}.cause`, seen, inner);
    if (value instanceof AggregateError && Array.isArray(value.errors)) {
      for (let i = 0; i < value.errors.length; i++)
        assertPortable(value.errors[i], `${path}.errors[${i}]`, seen, inner);
    }
  }
  if (value instanceof Map) {
    for (const [k, v] of value) {
      assertPortable(k, `${path}.keys()`, seen, inner);
      assertPortable(v, `${path}.get(${String(k)})`, seen, inner);
    }
    return;
  }
  if (value instanceof Set) {
    for (const v of value) assertPortable(v, `${path}.values()`, seen, inner);
    return;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) assertPortable(value[i], `${path}[${i}]`, seen, inner);
    return;
  }
  for (const key of Object.keys(value as object)) {
    assertPortable((value as any)[key], `${path}.${key}`, seen, inner);
  }
}

/** A value nested deeper than {@link MAX_NESTING} levels, met at `path` (thousands of characters long). */
function tooDeep(path: string): SerializationError {
  const short = path.length <= 120 ? path : `${path.slice(0, 60)}…${path.slice(-50)}`;
  return new SerializationError(
    path,
    `Cannot send ${short}: the value is nested more than ${MAX_NESTING} levels deep, which the ` +
      'worker cannot rebuild (its stack would overflow). Flatten it (for example a list of nodes ' +
      'with parent indexes) or send it as a string you parse on the other side.',
  );
}

function isSharedView(value: object): boolean {
  return ArrayBuffer.isView(value) && value.buffer instanceof SharedArrayBuffer;
}

function sharedMemory(path: string, cause?: unknown): ContextError {
  return new ContextError(
    `Cannot send ${path} through Redis: it is backed by a SharedArrayBuffer, and shared memory exists ` +
      'on one machine only. Send a copy of its values (for example Array.from(view)) instead.',
    cause === undefined ? undefined : { cause },
  );
}

function unsendable(path: string, what: string, hint?: string): SerializationError {
  return new SerializationError(
    path,
    `Cannot send ${path}: ${what} cannot travel through Redis to another machine. ` +
      `${hint ?? 'Send plain data (structured-cloneable values) instead'}.`,
  );
}
