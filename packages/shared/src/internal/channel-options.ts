/**
 * The options of a `ByteChannel` read or write, read the way every other waiting method reads
 * its timeout (`resolveTimeout()`): a number of ms, or `{ timeout, keepAlive }`, and `into` for a read;
 * and those of the constructor.
 */
import { ValidationError } from '../errors.js';
import { describeValue, readOptions, withArticle } from '../options.js';
import { resolveTimeout } from '../timeout.js';

const DEFAULT_CAPACITY = 1 << 20;
const MAX_CAPACITY = 1 << 29;

/** The options of `new ByteChannel()`, checked; throws `ValidationError` for bad ones. */
export function constructorOptions(options: unknown): { capacity: number; multi: boolean } {
  const what = 'new ByteChannel()';
  const { capacity = DEFAULT_CAPACITY, multi = false } = readOptions(
    options as { capacity?: unknown; multi?: unknown } | null | undefined,
    ['capacity', 'multi'],
    what,
  );
  if (!Number.isInteger(capacity) || (capacity as number) < 1 || (capacity as number) > MAX_CAPACITY) {
    throw new ValidationError(
      `${what}: capacity must be an integer from 1 to ${MAX_CAPACITY} bytes, got ${describeValue(capacity)}.`,
    );
  }
  if (typeof multi !== 'boolean') {
    throw new ValidationError(`${what}: multi must be true or false, got ${describeValue(multi)}.`);
  }
  return { capacity: capacity as number, multi };
}

/** Options after checking: `timeoutMs` is `Infinity` when none was given. */
export interface CheckedChannelOptions {
  readonly timeoutMs: number;
  readonly keepAlive?: boolean;
  readonly into?: Uint8Array;
}

const WRITE_KEYS = ['timeout', 'keepAlive'];
/** The options of a read. */
export const READ_KEYS = [...WRITE_KEYS, 'into'];

/** Checks `options` of `method` (a read's when `read`); throws `ValidationError` for any other shape. */
export function channelOptions(options: unknown, method: string, read = false): CheckedChannelOptions {
  if (options === undefined || options === null || typeof options === 'number') {
    return { timeoutMs: resolveTimeout(options, method).timeoutMs };
  }
  const keys = read ? READ_KEYS : WRITE_KEYS;
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new ValidationError(
      `${method} takes a timeout in ms or { ${keys.join(', ')} }, got ${describeValue(options)}.`,
    );
  }
  // An option set to null (Python's None) is one not given; `timeout: null` is no limit.
  const { timeout, keepAlive, into } = readOptions(options, keys, method) as {
    timeout?: unknown;
    keepAlive?: boolean;
    into?: unknown;
  };
  const { timeoutMs } = resolveTimeout(timeout === undefined ? undefined : { timeout }, method);
  return { timeoutMs, keepAlive, into: intoBytes(into, method) };
}

/**
 * A read's `into`, checked before anything is read or waited for, as the bytes to fill: a
 * Uint8Array (a Buffer too) as it is, another typed array, a DataView or an ArrayBuffer as a
 * Uint8Array over its bytes (as `Connection.recvBytesInto()` takes any of them).
 */
export function intoBytes(into: unknown, method: string): Uint8Array | undefined {
  if (into === undefined || into === null || into instanceof Uint8Array) return into ?? undefined;
  if (ArrayBuffer.isView(into)) return new Uint8Array(into.buffer, into.byteOffset, into.byteLength);
  if (
    into instanceof ArrayBuffer ||
    (typeof SharedArrayBuffer === 'function' && into instanceof SharedArrayBuffer)
  ) {
    return new Uint8Array(into);
  }
  const what = typeof into === 'object' && !Array.isArray(into) ? tagged(into) : describeValue(into);
  throw new ValidationError(
    `${method}: into must be a Uint8Array (or another typed array, a DataView or an ArrayBuffer) to copy the message into, got ${what}.`,
  );
}

function tagged(value: object): string {
  const tag = Object.prototype.toString.call(value).slice(8, -1);
  return tag === 'Object' ? 'an object' : withArticle(tag);
}

/** What a write of a `ByteChannel` takes, for `tooManyArguments()`. */
export const WRITE_TAKES = 'a message and an optional timeout (ms, or { timeout, keepAlive })';
/** What a waiting read of a `ByteChannel` takes, for `tooManyArguments()`. */
export const READ_TAKES = 'an optional timeout (ms, or { timeout, keepAlive, into })';

/** The error for a message that is not a `Uint8Array`, saying how to send the bytes of another view. */
export function notBytes(bytes: unknown, method: string): ValidationError {
  const view = ArrayBuffer.isView(bytes);
  return new ValidationError(
    `${method}: a message is a Uint8Array, got ${describeValue(bytes)}. ` +
      (view
        ? 'Send the bytes of another view as new Uint8Array(view.buffer, view.byteOffset, view.byteLength).'
        : 'Encode it first (new TextEncoder().encode(text) for a string), or wrap an ArrayBuffer in new Uint8Array(buffer).'),
  );
}

/** The error for a message of `bytes` bytes, more than a channel of `capacity` bytes holds. */
export function tooLarge(bytes: number, capacity: number): ValidationError {
  return new ValidationError(
    `Message of ${bytes} bytes exceeds this channel's capacity of ${capacity} bytes. ` +
      'Create the channel with a larger capacity, or split the message.',
  );
}
