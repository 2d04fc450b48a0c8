/**
 * Errors cross a worker boundary as plain records and are rebuilt on the other side with the same
 * `name`, `message`, `stack` (the worker's), `code` and `cause`. multiproc's own classes and the
 * built-in ones come back as instances of the same class, so `instanceof` keeps working.
 */
import * as shared from '@multiproc/shared';
import * as errors from '../errors.js';

/** An error as it travels between threads or processes. */
export interface ErrorRecord {
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
  /** Own enumerable fields (such as `code`, `path`, `exitCode`), when they can be cloned. */
  readonly props: Record<string, unknown>;
  readonly cause?: unknown;
  /** Set when something other than an Error was thrown: the thrown value itself. */
  readonly thrown?: unknown;
  readonly isError: boolean;
}

type ErrorClass = abstract new (...args: any[]) => Error;
const classes = new Map<string, ErrorClass>();
for (const C of [Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError]) {
  classes.set(C.name, C);
}
for (const C of Object.values({ ...shared, ...errors })) {
  if (typeof C === 'function' && C.prototype instanceof Error) classes.set(C.prototype.name, C as ErrorClass);
}

/** Adds error classes (such as `@multiproc/ipc`'s) that should be rebuilt as themselves. */
export function registerErrorClasses(list: Iterable<unknown>): void {
  for (const C of list) {
    if (typeof C === 'function' && C.prototype instanceof Error)
      classes.set(C.prototype.name, C as ErrorClass);
  }
}

function cloneable(value: unknown): boolean {
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
}

/** Turns anything thrown into a record that can be posted. */
export function toErrorRecord(err: unknown, depth = 0): ErrorRecord {
  if (!(err instanceof Error)) {
    return {
      name: 'Error',
      message: `A non-Error value was thrown: ${String(err)}`,
      stack: undefined,
      props: {},
      thrown: cloneable(err) ? err : String(err),
      isError: false,
    };
  }
  const props: Record<string, unknown> = {};
  for (const key of Object.keys(err)) {
    if (key === 'cause') continue;
    const v = (err as any)[key];
    if (cloneable(v)) props[key] = v;
  }
  const code = (err as any).code;
  if (code !== undefined && !('code' in props) && cloneable(code)) props.code = code;
  let cause: unknown;
  if ('cause' in err && depth < 8) {
    cause = err.cause instanceof Error ? { __errorRecord: toErrorRecord(err.cause, depth + 1) } : err.cause;
    if (!(err.cause instanceof Error) && !cloneable(cause)) cause = String(err.cause);
  }
  return {
    name: err.name,
    message: err.message,
    stack: err.stack,
    props,
    ...('cause' in err ? { cause } : {}),
    isError: true,
  };
}

/** Rebuilds an error from its record: same class where known, same name, message, stack and fields. */
export function fromErrorRecord(record: ErrorRecord): Error {
  const C = classes.get(record.name) ?? Error;
  const err = Object.create(C.prototype) as Error;
  Object.defineProperty(err, 'message', { value: record.message, writable: true, configurable: true });
  Object.defineProperty(err, 'stack', { value: record.stack, writable: true, configurable: true });
  if (err.name !== record.name) {
    Object.defineProperty(err, 'name', { value: record.name, writable: true, configurable: true });
  }
  for (const [key, value] of Object.entries(record.props)) {
    try {
      Object.defineProperty(err, key, { value, writable: true, configurable: true, enumerable: true });
    } catch {
      // A getter on the prototype (such as `code`) already answers for it.
    }
  }
  if ('cause' in record) {
    const c = record.cause as any;
    const cause = c && typeof c === 'object' && c.__errorRecord ? fromErrorRecord(c.__errorRecord) : c;
    Object.defineProperty(err, 'cause', { value: cause, writable: true, configurable: true });
  }
  if (!record.isError && 'thrown' in record) {
    Object.defineProperty(err, 'thrown', { value: record.thrown, writable: true, configurable: true });
  }
  return err;
}
