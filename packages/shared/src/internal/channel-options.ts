/**
 * The options of a `ByteChannel` read or write, read the way every other waiting method reads
 * its timeout (`resolveTimeout()`): a number of ms, or `{ timeout, keepAlive, into }`.
 */
import { ValidationError } from '../errors.js';
import { readOptions } from '../options.js';
import { resolveTimeout } from '../timeout.js';

/** Options after checking: `timeoutMs` is `Infinity` when none was given. */
export interface CheckedChannelOptions {
  readonly timeoutMs: number;
  readonly keepAlive?: boolean;
  readonly into?: Uint8Array;
}

const KEYS = ['timeout', 'keepAlive', 'into'];

/** Checks `options` of `method`; throws `ValidationError` for any other shape. */
export function channelOptions(options: unknown, method: string): CheckedChannelOptions {
  if (options === undefined || options === null || typeof options === 'number') {
    return { timeoutMs: resolveTimeout(options, method).timeoutMs };
  }
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new ValidationError(
      `${method} takes a timeout in ms or { timeout, keepAlive, into }, got ${typeof options}.`,
    );
  }
  // An option set to null (Python's None) is one not given; `timeout: null` is no limit.
  const { timeout, keepAlive, into } = readOptions(options, KEYS, method) as {
    timeout?: unknown;
    keepAlive?: boolean;
    into?: Uint8Array;
  };
  const { timeoutMs } = resolveTimeout(timeout === undefined ? undefined : { timeout }, method);
  return { timeoutMs, keepAlive, into };
}
