/**
 * What the channel refused after the codec let a value through: a Proxy reads like its target, and
 * an engine object (a generator, an iterator, an `arguments` object, an Intl object) reads like a
 * plain object or a class instance, so the codec passes them, and structured clone refuses them
 * only when the value is posted. Two things make that failure the same in both contexts and name
 * where the bad part is:
 *
 * - {@link asDataCloneError}: the refusal as a thread's `postMessage` and `structuredClone` give it,
 *   a `DataCloneError` (a `DOMException`); a child's `process.send()` and `v8.serialize()` throw a
 *   plain `Error` with the same sentence.
 * - {@link proxyPath}: the path of the first such part in a value, in the codec's form (`args[1].x`,
 *   `items[3][0]`, `result.get("k")`), looked for on the failure path only.
 */
import { refusedPart, SerializationError } from '@multiproc/shared';

/** What an argument or item the channel refused is told. */
export const UNSENDABLE_ADVICE = 'Only structured-cloneable values (and multiproc objects) can be sent.';

/** What a result the channel refused is told. */
export const RESULT_ADVICE = 'A task can return only structured-cloneable values: return plain data.';

/** The DOMException name structured clone refuses a value with. */
const DATA_CLONE_ERROR = 'DataCloneError';

/**
 * The channel's refusal as a `DataCloneError`, as a thread's `postMessage` throws it: `err` itself
 * when it is one, else a `DOMException` with its message (a child's `process.send()` throws a plain
 * `Error`: "#<Object> could not be cloned."). Anything else (a closed channel) is returned as is.
 */
export function asDataCloneError(err: unknown): unknown {
  if (!(err instanceof Error) || err.name === DATA_CLONE_ERROR) return err;
  if ((err as { code?: unknown }).code !== undefined || !/could not be cloned/.test(err.message)) return err;
  const out = new DOMException(err.message, DATA_CLONE_ERROR);
  if (err.stack !== undefined)
    Object.defineProperty(out, 'stack', { value: err.stack, configurable: true, writable: true });
  return out;
}

/** Whether `err` is structured clone refusing a value (a thread's DataCloneError, a child's plain Error). */
export function isCloneRefusal(err: unknown): boolean {
  return err instanceof Error && (err.name === DATA_CLONE_ERROR || asDataCloneError(err) !== err);
}

/**
 * The path of the first Proxy or engine object in `value` (`root` itself when it is one), walking
 * what structured clone copies (see `refusedPart` in `@multiproc/shared`); undefined when none is
 * found.
 */
export function proxyPath(value: unknown, root: string): string | undefined {
  return refusedPart(value, root)?.path;
}

/**
 * The error for a value the codec let through but the channel refused: named at the Proxy or
 * engine object in it when there is one (`args[1].x`), else at `root`; `cause` is the refusal as a
 * `DataCloneError`.
 */
export function refusedAt(value: unknown, root: string, err: unknown, advice: string): SerializationError {
  const found = refusedPart(value, root);
  const path = found?.path ?? root;
  const cause = asDataCloneError(err);
  const why = String((cause as Error)?.message ?? cause).replace(/\.+$/, '');
  const what = found === undefined ? '' : `it is ${found.what}, which structured clone cannot copy: `;
  return new SerializationError(path, `Cannot send ${path}: ${what}${why}. ${advice}`, { cause });
}
