/**
 * Errors cross Redis as plain records and are rebuilt as the same class where it is known: the
 * built-in classes, every class `@multiproc/core` exports, and this package's. Any other error
 * comes back as an `Error` with the task's `name`, `message`, `stack` and own fields, as from the
 * local pool. (Core keeps an equivalent for worker boundaries; it is internal there.)
 */
import { serialize } from 'node:v8';
import * as core from '@multiproc/core';
import * as errors from '../errors.js';

/** An error as it travels through Redis (inside a v8-serialized body). */
export interface ErrorRecord {
  /** The nearest known class of the error (`Error` for a user's own class), rebuilt as such. */
  readonly cls: string;
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
  readonly props: Record<string, unknown>;
  readonly cause?: unknown;
  readonly errors?: ErrorRecord[];
  readonly thrown?: unknown;
  /** Set for a `DOMException`, whose `name` (such as `'AbortError'`) is not its class. */
  readonly dom?: true;
}

type ErrorClass = abstract new (...args: any[]) => Error;
const classes = new Map<string, ErrorClass>();
for (const C of [
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
  AggregateError,
]) {
  classes.set(C.name, C);
}
for (const C of Object.values({ ...core, ...errors })) {
  if (typeof C === 'function' && C.prototype instanceof Error) classes.set(C.prototype.name, C as ErrorClass);
}

const MAX_DEPTH = 8;
const RECORD = '__mpErrorRecord';

function portable(value: unknown): boolean {
  try {
    serialize(value);
    return true;
  } catch {
    return false;
  }
}

/** The name of the nearest class on `err`'s prototype chain that is rebuilt as itself. */
function knownClassOf(err: Error): string {
  for (let proto = Object.getPrototypeOf(err); proto; proto = Object.getPrototypeOf(proto)) {
    const C = proto.constructor;
    if (typeof C === 'function' && classes.get(C.prototype.name ?? C.name) === C)
      return C.prototype.name ?? C.name;
  }
  return 'Error';
}

/** Turns anything thrown into a record that v8 can serialize. */
export function toErrorRecord(err: unknown, depth = 0): ErrorRecord {
  if (!(err instanceof Error)) {
    return {
      cls: 'Error',
      name: 'Error',
      message: `A non-Error value was thrown: ${String(err)}`,
      stack: undefined,
      props: {},
      thrown: portable(err) ? err : String(err),
    };
  }
  const props: Record<string, unknown> = {};
  for (const key of Object.keys(err)) {
    if (key === 'cause' || key === 'errors') continue;
    const value = (err as any)[key];
    if (portable(value)) props[key] = value;
  }
  const code = (err as any).code;
  if (code !== undefined && !('code' in props) && portable(code)) props.code = code;
  let cause: unknown;
  if ('cause' in err && depth < MAX_DEPTH) {
    cause = err.cause instanceof Error ? { [RECORD]: toErrorRecord(err.cause, depth + 1) } : err.cause;
    if (!(err.cause instanceof Error) && !portable(cause)) cause = String(err.cause);
  }
  const nested =
    err instanceof AggregateError && depth < MAX_DEPTH
      ? { errors: Array.from(err.errors ?? [], (e) => toErrorRecord(e, depth + 1)) }
      : {};
  return {
    cls: knownClassOf(err),
    name: err.name,
    message: err.message,
    stack: err.stack,
    props,
    ...(typeof DOMException === 'function' && err instanceof DOMException ? { dom: true as const } : {}),
    ...('cause' in err ? { cause } : {}),
    ...nested,
  };
}

/** Rebuilds an error from its record: same class where known, same name, message, stack and fields. */
export function fromErrorRecord(record: ErrorRecord): Error {
  if (!record.dom) return rebuild(record, classes.get(record.cls) ?? Error);
  const err = new DOMException(record.message, record.name);
  Object.defineProperty(err, 'stack', { value: record.stack, writable: true, configurable: true });
  return err;
}

function rebuild(record: ErrorRecord, C: ErrorClass): Error {
  const err = Object.create(C.prototype) as Error;
  const define = (key: string, value: unknown, enumerable = false) =>
    Object.defineProperty(err, key, { value, writable: true, configurable: true, enumerable });
  define('message', record.message);
  define('stack', record.stack);
  if (err.name !== record.name) define('name', record.name);
  for (const [key, value] of Object.entries(record.props)) {
    try {
      define(key, value, true);
    } catch {
      // A getter on the prototype (such as `code`) already answers for it.
    }
  }
  if ('cause' in record) {
    const c = record.cause as any;
    define('cause', c && typeof c === 'object' && c[RECORD] ? fromErrorRecord(c[RECORD]) : c);
  }
  if (record.errors) define('errors', record.errors.map(fromErrorRecord));
  if ('thrown' in record) define('thrown', record.thrown);
  return err;
}
