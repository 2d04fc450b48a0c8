/** Errors as values for the tests, and how the tests compare values holding them. */
import { readFileSync } from 'node:fs';

/** A value as the tests compare it: every error by its class, fields, cause and errors. */
export function shape(value: unknown): unknown {
  if (value instanceof Error) {
    const own: Record<string, unknown> = {};
    for (const key of Object.keys(value))
      own[key] = shape((value as unknown as Record<string, unknown>)[key]);
    return {
      class: value.constructor.name,
      name: value.name,
      message: value.message,
      own,
      ...('cause' in value ? { cause: shape(value.cause) } : {}),
      ...(value instanceof AggregateError ? { errors: value.errors.map(shape) } : {}),
    };
  }
  if (value instanceof URL) return { url: value.href };
  if (Array.isArray(value)) {
    // An array's named fields too (a RegExp match's `index`, yours), which a structured clone keeps.
    const named = Object.keys(value).filter((key) => !/^\d+$/.test(key));
    if (named.length === 0) return value.map(shape);
    return {
      items: value.map(shape),
      ...Object.fromEntries(named.map((k) => [k, shape((value as any)[k])])),
    };
  }
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [k, shape(v)]));
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shape(v)]));
  }
  return value;
}

/** An error with own fields (as Node's system errors have) and a cause. */
export function fieldedError(): Error {
  return Object.assign(new Error('with fields', { cause: new TypeError('the cause') }), {
    code: 'ECODE',
    errno: -2,
    extra: { depth: [1, 2] },
  });
}

/** A real system error of Node's: `code`, `errno`, `syscall`, `path`. */
export function systemError(): Error {
  try {
    readFileSync('/no/such/file/anywhere');
  } catch (error) {
    return error as Error;
  }
  throw new Error('unreachable');
}

export function aggregate(): AggregateError {
  return new AggregateError([new RangeError('one'), Object.assign(new Error('two'), { code: 'E2' })], 'many');
}
