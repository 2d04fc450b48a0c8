/**
 * A new error of a record's class (error-record.ts), built on any supported Node: a class the
 * sender's Node has and this one lacks (`SuppressedError` before Node 24; `AggregateError`,
 * `DOMException` or `WebAssembly` where a runtime has none) becomes an `Error` with the same fields
 * (`error` and `suppressed`, `errors`), which gets the record's `name`, message, stack and cause
 * like any other. Never throws: a client of Node 20 waited forever on a `SuppressedError` thrown
 * by a task on Node 24 (`new globalThis.SuppressedError` threw, and that was lost).
 */
import { builtinErrorClass as builtinClass, ourErrorClass as ourClass } from '../error-classes.js';
import type { ErrorRecord } from './error-record.js';

type Ctor = new (...args: any[]) => Error;

/** The global class `name`, when this runtime has one. */
function globalClass(name: string): Ctor | undefined {
  const C = (globalThis as Record<string, unknown>)[name];
  return typeof C === 'function' ? (C as Ctor) : undefined;
}

/**
 * An `Error` with `fields` as own properties. Enumerable, unlike the missing class's: so they are
 * the error's own fields, which go on with it when it is sent on (to a worker's local pool).
 */
function errorWith(message: string, fields: Record<string, unknown>): Error {
  return Object.assign(new Error(message), fields);
}

function build(record: ErrorRecord): Error {
  const { message } = record;
  switch (record.family) {
    case 'dom': {
      const C = globalClass('DOMException');
      return C ? new C(message, record.name) : new Error(message);
    }
    case 'ours': {
      const C = ourClass(record.className ?? '') ?? Error;
      // A real Error object (its constructor's arguments differ by class) with the class's prototype.
      return Reflect.construct(Error, [message], C);
    }
    case 'builtin': {
      if (record.className === 'AggregateError') {
        const C = globalClass('AggregateError');
        return C ? new C([], message) : errorWith(message, { errors: [] });
      }
      if (record.className === 'SuppressedError') {
        const C = globalClass('SuppressedError');
        return C
          ? new C(undefined, undefined, message)
          : errorWith(message, { error: undefined, suppressed: undefined });
      }
      // Error itself when this runtime lacks the class (`WebAssembly` under --jitless).
      const C = builtinClass(record.className ?? 'Error') as unknown as Ctor;
      return new C(message);
    }
    default:
      return new Error(message);
  }
}

/**
 * The error a record stands for, before its name, stack, fields and what nests in it (an
 * `AggregateError`'s `errors`, a `SuppressedError`'s `error` and `suppressed`: empty here) are set:
 * those may refer to the error itself (error-refs.ts). An `Error` of the record's message if
 * building its class throws.
 */
export function construct(record: ErrorRecord): Error {
  try {
    return build(record);
  } catch {
    return new Error(record.message);
  }
}
