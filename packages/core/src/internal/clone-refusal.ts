/**
 * What the channel refused after the codec let a value through: a Proxy reads like its target, so
 * the codec passes it, and structured clone refuses it only when the value is posted. Two things
 * make that failure the same in both contexts and name where the bad part is:
 *
 * - {@link asDataCloneError}: the refusal as a thread's `postMessage` and `structuredClone` give it,
 *   a `DataCloneError` (a `DOMException`); a child's `process.send()` and `v8.serialize()` throw a
 *   plain `Error` with the same sentence.
 * - {@link proxyPath}: the path of the first Proxy in a value, in the codec's form (`args[1].x`,
 *   `items[3][0]`, `result.get("k")`), looked for on the failure path only.
 */
import { keyName, SerializationError } from '@multiproc/shared';

/**
 * `node:util`'s type checks, read on the failure path only: an ES import of `node:util` makes Node
 * load the modules behind its lazy exports too (`parseArgs`, `MIMEType`), in every pool worker,
 * before its first task (issue #18).
 */
const types = () => process.getBuiltinModule('node:util').types;

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

/** How far {@link proxyPath} looks: a value this big or deep that failed is named by its root. */
const MAX_VISITS = 1_000_000;
const MAX_DEPTH = 1000;

/**
 * The path of the first Proxy in `value` (`root` itself when it is one), walking what structured
 * clone copies: array items and named fields, own enumerable fields, Map keys (`.<key>`) and values
 * (`.get("k")`, `.get(1)`), Set items (`.<item>`), an error's `cause`; undefined when none is found
 * (or reading the value threw: the codec names such a part itself).
 */
export function proxyPath(value: unknown, root: string): string | undefined {
  const seen = new Set<object>();
  const stack: [unknown, string, number][] = [[value, root, 0]];
  try {
    while (stack.length > 0) {
      const [v, path, depth] = stack.pop()!;
      if ((typeof v !== 'object' && typeof v !== 'function') || v === null) continue;
      if (types().isProxy(v)) return path;
      if (seen.has(v) || depth >= MAX_DEPTH || seen.size >= MAX_VISITS) continue;
      seen.add(v);
      if (ArrayBuffer.isView(v) || types().isAnyArrayBuffer(v)) continue;
      // Pushed in reverse, so the first part in reading order is met first.
      const parts: [unknown, string][] = [];
      if (v instanceof Map) {
        for (const [k, item] of v) parts.push([k, `${path}.<key>`], [item, `${path}.get(${keyName(k)})`]);
      } else if (v instanceof Set) {
        for (const item of v) parts.push([item, `${path}.<item>`]);
      } else {
        const isArray = Array.isArray(v);
        for (const key of Object.keys(v)) {
          const index = isArray && String(Number(key) >>> 0) === key;
          parts.push([(v as Record<string, unknown>)[key], index ? `${path}[${key}]` : `${path}.${key}`]);
        }
        if (v instanceof Error && Object.hasOwn(v, 'cause')) parts.push([v.cause, `${path}.cause`]);
      }
      for (let i = parts.length - 1; i >= 0; i--) stack.push([parts[i]![0], parts[i]![1], depth + 1]);
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/**
 * The error for a value the codec let through but the channel refused: named at the Proxy in it
 * when there is one (`args[1].x`), else at `root`; `cause` is the refusal as a `DataCloneError`.
 */
export function refusedAt(value: unknown, root: string, err: unknown, advice: string): SerializationError {
  const path = proxyPath(value, root) ?? root;
  const cause = asDataCloneError(err);
  const why = String((cause as Error)?.message ?? cause).replace(/\.+$/, '');
  const what =
    path === root && !types().isProxy(value) ? '' : 'it is a Proxy, which structured clone cannot copy: ';
  return new SerializationError(path, `Cannot send ${path}: ${what}${why}. ${advice}`, { cause });
}
