/**
 * One reading of the timeout argument of every waiting method in multiproc (`join`, `get`, `put`,
 * `recv`/`poll`, `acquire`, `wait`), so they all accept the same forms and reject the same mistakes.
 */
import { ValidationError } from './errors.js';
import { describeValue, spellingOf } from './options.js';

/** The options form of a timeout argument. */
export interface WaitOptions {
  /**
   * How long to wait, in milliseconds; `0` tries once, and so does a negative timeout (as in
   * Python's `multiprocessing`); a fraction is taken as it is (`deadline - performance.now()` often
   * is one: below 1 ms, a short wait of about the timer's least step); `Infinity`, `null` (or leaving
   * it out) waits as long as the call allows, and so does anything above `MAX_TIMEOUT_MS` (2^31 - 1
   * ms, about 24.8 days).
   */
  timeout?: number | null | undefined;
}

/** The options form of a timeout argument where Python has a `block` argument too. */
export interface BlockingWaitOptions extends WaitOptions {
  /**
   * `false`: do not wait at all (Python's `block=False`). As in Python's `multiprocessing`, a
   * `timeout` given with it is ignored: `Queue.get/put` and a lock's or semaphore's `acquire()`
   * answer at once. `null` (Python's `None`) is read as not given.
   * @default true
   */
  block?: boolean | null | undefined;
}

/** What a waiting method takes: milliseconds, or `{ timeout }`, or nothing. */
export type Timeout = number | WaitOptions | null | undefined;

/** What {@link resolveTimeout} reads from a timeout argument. */
export interface ResolvedTimeout {
  /** Milliseconds to wait: `Infinity` for no limit, `0` for "try once". */
  readonly timeoutMs: number;
  /** `false` when the caller asked not to wait (`{ block: false }`). */
  readonly block: boolean;
}

/** How {@link resolveTimeout} reads an argument for one method. */
export interface ResolveTimeoutOptions {
  /** Whether `{ block: false }` is accepted (Python has `block`: `Queue.get/put`, `Lock.acquire`). */
  block?: boolean | undefined;
  /**
   * The wait when no timeout is given, in ms (`Connection.poll()` answers at once: `0`). An explicit
   * `null` (Python's `None`) still waits without limit.
   * @default Infinity
   */
  defaultMs?: number | undefined;
  /**
   * Whether a negative timeout means "do not wait" (as `0`). Python's `multiprocessing` reads it so
   * everywhere: `Queue.get/put(timeout=-1)` raise `Empty`/`Full` at once, `Event.wait(-1)` and a
   * lock's or semaphore's `acquire(timeout=-1)` return `False`, `Barrier.wait(-1)` breaks the
   * barrier, and `connection.wait()`, `Connection.poll()`, `Process.join()`, `AsyncResult.get/wait()`
   * return at once (only the thread-level `queue.Queue` raises `ValueError`). `false` refuses a
   * negative timeout with `ValidationError`, for a method beyond Python.
   * @default true
   */
  negativeIsZero?: boolean | undefined;
  /**
   * The method takes its timeout only as an option of an options object (`pool.apply(task, args,
   * { timeout })`), never as a bare number: messages then name that form alone.
   * @default false
   */
  optionOnly?: boolean | undefined;
}

/**
 * The longest wait a timer can measure, in ms (2^31 - 1, about 24.8 days): Node fires a longer
 * `setTimeout` after 1 ms. {@link resolveTimeout} reads any longer timeout as no limit.
 * @example
 * resolveTimeout(30 * 24 * 3600 * 1000, 'Queue.get()').timeoutMs; // Infinity (30 days: no limit)
 * console.log(MAX_TIMEOUT_MS); // 2147483647
 */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

const FOREVER: ResolvedTimeout = Object.freeze({ timeoutMs: Number.POSITIVE_INFINITY, block: true });
const NOT_BLOCKING: ResolvedTimeout = Object.freeze({ timeoutMs: 0, block: false });

/**
 * Reads the timeout argument of a waiting method: a number of milliseconds, `{ timeout }` (plus
 * `{ block: false }` where Python has `block`), or nothing. Anything else throws, with a message that
 * names the method, the accepted forms, and the multiproc spelling of a Python habit (a boolean
 * `block` argument). Any number of milliseconds >= 0 is a timeout, fractions too.
 * @param arg what the caller passed.
 * @param method the method's name for messages, such as `'Queue.get()'`.
 * @param options whether `block` is accepted, and the default wait.
 * @returns the wait in ms (`Infinity` for no limit, also for more than `MAX_TIMEOUT_MS`; `0` for a
 *   negative timeout, as in Python) and whether to block.
 * @throws {ValidationError} for any other form: a boolean, a string, a `NaN` timeout (or a negative
 *   one with `negativeIsZero: false`), or an unknown option.
 * @example
 * resolveTimeout(500, 'Queue.get()');                              // { timeoutMs: 500, block: true }
 * resolveTimeout(0.25, 'Queue.get()');                             // { timeoutMs: 0.25, block: true }
 * resolveTimeout({ block: false }, 'Queue.get()', { block: true }); // { timeoutMs: 0, block: false }
 * resolveTimeout(undefined, 'Connection.poll()', { defaultMs: 0 }); // { timeoutMs: 0, block: true }
 * resolveTimeout(null, 'Connection.poll()', { defaultMs: 0 });      // { timeoutMs: Infinity, block: true }
 */
export function resolveTimeout(
  arg: unknown,
  method: string,
  options: ResolveTimeoutOptions = {},
): ResolvedTimeout {
  const defaultMs = options.defaultMs ?? Number.POSITIVE_INFINITY;
  // `null` is Python's `None`, "no limit", even where no argument means something else (`poll()`).
  if (arg === null) return FOREVER;
  if (arg === undefined) {
    return defaultMs === Number.POSITIVE_INFINITY ? FOREVER : { timeoutMs: defaultMs, block: true };
  }
  if (typeof arg === 'number') return { timeoutMs: checkMs(arg, method, options), block: true };
  if (typeof arg !== 'object' || Array.isArray(arg)) throw badForm(arg, method, options);
  let block = true;
  for (const key of Object.keys(arg)) {
    if (key !== 'timeout' && !(key === 'block' && options.block)) throw badForm(arg, method, options, key);
  }
  const { timeout, block: blockArg } = arg as BlockingWaitOptions;
  // `null` is Python's `None`: the default, as for every other option.
  if (blockArg !== undefined && blockArg !== null) {
    if (typeof blockArg !== 'boolean') {
      throw new ValidationError(`${method}: block must be true or false, got ${describeValue(blockArg)}.`);
    }
    block = blockArg;
  }
  if (timeout === undefined || timeout === null)
    return block ? resolveTimeout(timeout, method, options) : NOT_BLOCKING;
  if (typeof timeout !== 'number') throw badForm(timeout, method, options);
  const timeoutMs = checkMs(timeout, method, options);
  // Python's multiprocessing checks a timeout given with block=False, then ignores it
  // (`SemLock.acquire`, `Queue.get/put`): try once.
  return block ? { timeoutMs, block: true } : NOT_BLOCKING;
}

function checkMs(ms: number, method: string, options: ResolveTimeoutOptions): number {
  if (ms < 0 && options.negativeIsZero !== false) return 0;
  if (Number.isNaN(ms) || ms < 0) {
    // Where negatives are taken, they mean "do not wait" (Python clamps them to 0): say so.
    const rule =
      options.negativeIsZero === false
        ? 'a number of milliseconds >= 0'
        : 'a number of milliseconds (0 or less: do not wait, as in Python)';
    throw new ValidationError(
      `${method}: the timeout must be ${rule}, got ${describeValue(ms)}. ${forms(method, options)}`,
    );
  }
  // Longer than a timer can measure (24.8 days): no limit, rather than Node's 1 ms fallback.
  return ms > MAX_TIMEOUT_MS ? Number.POSITIVE_INFINITY : ms;
}

function badForm(
  arg: unknown,
  method: string,
  options: ResolveTimeoutOptions,
  key?: string,
): ValidationError {
  let hint = '';
  if (key !== undefined) {
    const right = spellingOf(key, options.block ? ['timeout', 'block'] : ['timeout']);
    hint = ` Unknown option '${key}'.${right === undefined ? '' : ` In multiproc it is spelt ${right}.`}`;
  } else if (typeof arg === 'boolean') {
    hint = options.block
      ? ` A boolean is Python's block argument: to not wait pass { block: false }, to wait pass nothing or { timeout }.`
      : ` To not wait pass 0.`;
  }
  return new ValidationError(
    `${method}: got ${describeValue(arg)} as its timeout.${hint} ${forms(method, options)}`,
  );
}

function forms(method: string, options: ResolveTimeoutOptions): string {
  if (options.optionOnly)
    return `${method} takes its timeout as an option only: { timeout: ms }, or null for no limit.`;
  const block = options.block ? ', { block: false }' : '';
  return `${method} accepts a number of milliseconds, { timeout: ms }${block}, or nothing.`;
}
