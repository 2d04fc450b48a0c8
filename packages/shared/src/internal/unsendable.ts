/**
 * What the structured-clone algorithm refuses, found before sending so the error can name the
 * path: weak collections and promises (and functions and symbols anywhere in a value).
 */
import { CODEC_TAG } from '../codec-types.js';
import { SerializationError, ValidationError } from '../errors.js';
import { withArticle } from '../options.js';
import { MAX_NESTING } from './nesting.js';

// What the structured-clone algorithm refuses, found here so the error can name the path.
const UNCLONEABLE = [
  typeof WeakMap === 'function' ? WeakMap : undefined,
  typeof WeakSet === 'function' ? WeakSet : undefined,
  typeof WeakRef === 'function' ? WeakRef : undefined,
  typeof Promise === 'function' ? Promise : undefined,
].filter((c) => c !== undefined) as Array<new (...a: never[]) => object>;

export function isUncloneable(value: object): boolean {
  return UNCLONEABLE.some((c) => value instanceof c);
}

function describe(value: unknown): string {
  if (typeof value === 'function') return `a function${value.name ? ` (${value.name})` : ''}`;
  if (typeof value === 'symbol') return `a symbol (${String(value.description ?? '')})`;
  if (typeof value === 'object' && value !== null) return withArticle(value.constructor?.name ?? 'object');
  return typeof value;
}

/**
 * How a Map entry's key reads in a path (`args[0].get("sab")`, `.get(1)`, `.get(2n)`, `.get(null)`):
 * a primitive key as JavaScript spells it, an object key as `…` (it has no short spelling).
 * @internal
 */
export function keyName(key: unknown): string {
  switch (typeof key) {
    case 'string':
      return JSON.stringify(key);
    case 'number':
      return Object.is(key, -0) ? '-0' : String(key);
    case 'bigint':
      return `${key}n`;
    case 'boolean':
    case 'undefined':
      return String(key);
    default:
      return key === null ? 'null' : '…';
  }
}

/** Whether `path` names a task's return value (`result`, `result.a`, `result[3]`). */
export const isResult = (path: string): boolean => /^result(?:$|[.[])/.test(path);

/** A function, a symbol or an uncloneable object at `path`. */
export function unsendable(path: string, value: unknown): SerializationError {
  const hint =
    typeof value === 'function'
      ? isResult(path)
        ? 'A function cannot cross a worker boundary: return data (plain values) from the task instead, ' +
          'and call the function inside the task.'
        : 'A function cannot cross a worker boundary: pass a task reference from defineTasks() instead.'
      : isResult(path)
        ? 'A task can return only structured-cloneable values (and multiproc objects).'
        : 'Only structured-cloneable values (and multiproc objects) can be sent.';
  return new SerializationError(path, `Cannot send ${path}: it is ${describe(value)}. ${hint}`);
}

/** A part of the value threw when read (a getter, a Proxy's trap): named by its path. */
export function unreadable(path: string, err: unknown): SerializationError {
  const thrown = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return new SerializationError(
    path,
    `Cannot send ${path}: reading it threw ${thrown}. A getter or Proxy that throws cannot be ` +
      'copied: send plain data (for example a copy made with { ...value }).',
    { cause: err },
  );
}

/** What `read()` returns; a SerializationError naming `path` when it throws (a revoked Proxy). */
export function readOrRefuse<T>(read: () => T, path: string): T {
  try {
    return read();
  } catch (err) {
    throw unreadable(path, err);
  }
}

/** `registerCodec()`'s arguments, checked so a mistake shows where it is made, not at a receive. */
export function checkCodecArgs(type: unknown, decode: unknown): void {
  if (typeof type !== 'string' || type === '') {
    throw new ValidationError(
      `registerCodec(type, decode): type must be a non-empty string (the type your encoder returns), got ${describeArg(type)}.`,
    );
  }
  if (typeof decode !== 'function') {
    throw new ValidationError(
      `registerCodec(type, decode): decode must be a function (data, ctx) => object, got ${describeArg(decode)}.`,
    );
  }
}

function describeArg(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || typeof value !== 'object') return String(value);
  return withArticle((value as object).constructor?.name ?? 'object');
}

/**
 * A path shortened for a message (a too-deep value's path is thousands of characters long): a step
 * repeated 4 times or more in a row is written three times, then `…` and how many times it came
 * (`error.n.n.n… (.n 1001 times)`); a path still longer than 160 characters keeps its first and
 * last 60, saying how many steps were left out. So what was left out, and where, is plain.
 */
export function shortPath(path: string): string {
  const steps = path.match(/\.[^.[]*|\[[^\]]*\]?|[^.[]+/g) ?? [path];
  let out = '';
  for (let i = 0; i < steps.length; ) {
    let n = 1;
    while (steps[i + n] === steps[i]) n++;
    const step = steps[i] as string;
    out += n < 4 ? step.repeat(n) : `${step.repeat(3)}… (${step} ${n} times)`;
    i += n;
  }
  if (out.length <= 160) return out;
  const cut = out.slice(60, -60).match(/\.[^.[]+|\[[^\]]*\]/g)?.length ?? 0;
  return `${out.slice(0, 60)}… (${cut} steps left out) …${out.slice(-60)}`;
}

/**
 * The step of a path into a codec record's data (`record`: `{ [CODEC_TAG]: type, data }`): `<data>`,
 * or `<error>` for an error's record, which {@link readablePath} leaves out.
 */
export function dataStep(record: object): string {
  return (record as Record<string, unknown>)[CODEC_TAG] === 'multiproc.Error' ? '<error>' : '<data>';
}

// An error's record as the codec walks it: its fields under `props`, each nested error in a
// `{ __errorRecord }` (error-record.ts). Not steps of the value the program sent.
const ERROR_STEPS = /(?:<error>|\.__errorRecord)(?:\.props(?=[.[]|$))?/g;

/** `path` as the program's value has it: `result.cause.code`, not the wire's steps to it. */
function readablePath(path: string): string {
  return path.replace(ERROR_STEPS, '');
}

/** A value nested deeper than {@link MAX_NESTING} containers, met at `path`. */
export function tooDeep(wirePath: string): SerializationError {
  const path = readablePath(wirePath);
  // An error sent as a value travels as its record and a wrapper: two levels each.
  const errors = path === wirePath ? '' : ' (an error in it counts as two levels)';
  return new SerializationError(
    path,
    `Cannot send ${shortPath(path)}: the value is nested more than ${MAX_NESTING} levels deep${errors}, ` +
      'which the receiving side cannot rebuild (its stack would overflow; Python raises RecursionError). ' +
      'Flatten it (for example a list of nodes with parent indexes) or send it as a string you parse on the other side.',
  );
}
