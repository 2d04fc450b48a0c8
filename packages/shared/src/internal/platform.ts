/**
 * Platform objects (`URL`, `Headers`, `AbortSignal`, `Blob`, `Intl.NumberFormat`, ...): objects
 * whose state lives in internal slots, not in fields. Structured clone copies a few of them
 * faithfully, refuses some, and turns the rest into `{}` without a word, and which is which
 * changes with the Node version and with the route (a worker's MessagePort, or a child process's
 * v8 serializer, which keeps none of them). The rule here is one for every version and route:
 * such a value arrives as itself or is refused at the send, naming its path and what to send
 * instead.
 *
 * - `URL`, `URLSearchParams`, `DOMException` and (to a thread) `File` have a codec: they travel
 *   as their text (or name and message, or bytes and name) and are rebuilt, as Python pickles a
 *   `urllib` result.
 * - To a thread, any other platform object goes as it is if structured clone gives back an object
 *   of its own class (a `Blob`, a `CryptoKey`, a `KeyObject`): checked once per class.
 * - To a process nothing else goes: the child's serializer keeps no platform object.
 */
import { SerializationError } from '../errors.js';
import { withArticle } from '../options.js';

type Target = 'thread' | 'process';
type BuiltinEncoder = (value: any, target: Target, path: string) => { type: string; data: unknown };

/** Encoders of platform classes, by prototype; their decoders are registered by codec.ts. */
const ENCODERS = new Map<object, BuiltinEncoder>();

/** The builtin decoders, registered under these names by codec.ts. */
export const BUILTIN_DECODERS: Record<string, (data: any) => unknown> = {};

function define<T>(
  cls: { prototype: T } | undefined,
  type: string,
  encode: (value: T, target: Target, path: string) => unknown,
  decode: (data: any) => unknown,
): void {
  if (cls === undefined) return; // this runtime has no such class
  ENCODERS.set(cls.prototype as object, (value, target, path) => ({
    type,
    data: encode(value, target, path),
  }));
  BUILTIN_DECODERS[type] = decode;
}

const g = globalThis as any;
define<URL>(
  g.URL,
  'web.URL',
  (url) => url.href,
  (href: string) => new URL(href),
);
define<URLSearchParams>(
  g.URLSearchParams,
  'web.URLSearchParams',
  (params) => params.toString(),
  (text: string) => new URLSearchParams(text),
);
define<DOMException>(
  g.DOMException,
  'web.DOMException',
  (e) => ({ message: e.message, name: e.name, stack: e.stack }),
  ({ message, name, stack }: { message: string; name: string; stack?: string }) => {
    const e = new DOMException(message, name);
    if (stack !== undefined)
      Object.defineProperty(e, 'stack', { value: stack, writable: true, configurable: true });
    return e;
  },
);
// Node 20 clones a File as a Blob (its name dropped); a process gets no Blob at all.
define<File>(
  g.File,
  'web.File',
  (file, target, path) => {
    if (target === 'process') throw platformError(path, file, target);
    return { blob: file.slice(0, file.size, file.type), name: file.name, lastModified: file.lastModified };
  },
  ({ blob, name, lastModified }: { blob: Blob; name: string; lastModified: number }) =>
    new File([blob], name, { type: blob.type, lastModified }),
);

/** The encoder of a platform class with a codec (`URL`, ...), if `proto` is one. */
export function builtinEncoder(proto: object | null): BuiltinEncoder | undefined {
  return proto === null ? undefined : ENCODERS.get(proto);
}

/** Whether structured clone (a worker's route) gives back an object of the same class, by prototype. */
const faithful = new WeakMap<object, boolean>();

/**
 * Whether `value`, a platform object without a codec, can go to `target` as it is. Decided once
 * per class for a thread, by cloning this instance (a clone of the same class is faithful; `{}`
 * or a refusal is not).
 */
export function platformSendable(value: object, target: Target): boolean {
  if (target === 'process') return false;
  const proto = Object.getPrototypeOf(value) as object;
  let verdict = faithful.get(proto);
  if (verdict === undefined) {
    try {
      // Same kind by its tag (a Blob's slice is an internal subclass whose clone is a Blob).
      const copy: unknown = typeof structuredClone === 'function' ? structuredClone(value) : {};
      const tag = Object.prototype.toString;
      verdict = Object.getPrototypeOf(copy) !== Object.prototype && tag.call(copy) === tag.call(value);
    } catch {
      verdict = false;
    }
    faithful.set(proto, verdict);
  }
  return verdict;
}

/** The class name shown in messages: `URL`, `Intl.NumberFormat`. */
function nameOf(value: object): string {
  const tag = Object.prototype.toString.call(value).slice(8, -1);
  const ctor = (value.constructor as { name?: string } | undefined)?.name;
  return tag !== 'Object' ? tag : ctor || 'platform object';
}

/** What to send instead, per class. */
function hintFor(name: string, target: Target): string {
  if (name === 'Blob' || name === 'File') {
    return `send its bytes (new Uint8Array(await blob.arrayBuffer())) and its type${
      target === 'process' ? '; a Blob can go to a thread, not to another process' : ''
    }`;
  }
  if (name === 'Headers')
    return 'send Object.fromEntries(headers) (or [...headers]) and rebuild it with new Headers()';
  if (name === 'AbortSignal' || name === 'AbortController') {
    return 'send signal.aborted and signal.reason, or share an Event and let the worker check it';
  }
  if (name === 'Request' || name === 'Response') return 'send its url, method, headers and body text';
  if (name === 'TextEncoder' || name === 'TextDecoder') return 'create it in the worker: it holds no data';
  if (name.startsWith('Intl.')) return 'send its resolvedOptions() and create it in the worker';
  if (/Stream$/.test(name)) return 'read it and send the data, or use a Pipe';
  return 'send plain data and rebuild the object on the other side, or make it encodable with registerCodec()';
}

/** The refusal of a platform object at `path`: what it is, why, and what to send instead. */
export function platformError(path: string, value: object, target: Target): SerializationError {
  const name = nameOf(value);
  const where = target === 'process' ? 'to another process' : 'to a worker';
  return new SerializationError(
    path,
    `Cannot send ${path}: it is ${withArticle(name)}, a platform object whose ` +
      `state a structured clone ${where} does not carry ` +
      `(it would arrive as {} or be refused). Instead, ${hintFor(name, target)}.`,
  );
}

/**
 * Whether an `ArrayBuffer` (or a view's buffer) was detached: moved away by an earlier send.
 * Only an empty buffer can be; `detached` is missing before Node 22, so a view is tried then.
 */
export function isDetached(value: ArrayBuffer | ArrayBufferView): boolean {
  const buffer = ArrayBuffer.isView(value) ? value.buffer : value;
  if (buffer.byteLength !== 0 || !(buffer instanceof ArrayBuffer)) return false;
  const flag = (buffer as { detached?: boolean }).detached;
  if (typeof flag === 'boolean') return flag;
  try {
    new Uint8Array(buffer);
    return false;
  } catch {
    return true;
  }
}

/** The refusal of a buffer an earlier send moved away. */
export function detachedError(path: string): SerializationError {
  return new SerializationError(
    path,
    `Cannot send ${path}: its memory was already moved (detached) by an earlier send with move() or a ` +
      'transfer, so nothing is left here to send. Keep the result the worker sends back, or send a copy ' +
      '(move(buffer.slice()) or the buffer without move()).',
  );
}
