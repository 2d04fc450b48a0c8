// Values made in another realm (a `vm` context), whose classes are not this realm's: errors, which
// are not `instanceof` this realm's `Error`, and Maps, Sets, Dates, buffers and plain data, for the
// tests of every codec. Each must arrive as the receiver's own class with all its contents, never
// as a plain `{}`.
import { inspect } from 'node:util';
import vm from 'node:vm';

const VALUE_SOURCES = {
  object: '({ a: 1, b: [1, 2], c: { d: "x" } })',
  map: 'new Map([["k", 1]])',
  set: 'new Set([1, 2])',
  date: 'new Date(0)',
  regexp: '/ab+c/gi',
  bytes: 'new Uint8Array([1, 2, 3])',
  buffer: 'new Uint8Array([4, 5]).buffer',
  boxed: 'new String("s")',
  nested: '({ m: new Map([["d", new Date(5)]]), s: new Set(["x"]), list: [new Map()] })',
};

/** The value shapes, by name. */
export const FOREIGN_VALUES = Object.keys(VALUE_SOURCES);

/** A new value of another realm, of shape `kind` (one of {@link FOREIGN_VALUES}). */
export function makeForeignValue(kind) {
  return vm.runInNewContext(VALUE_SOURCES[kind]);
}

/** What is wrong with `value` as a copy of {@link makeForeignValue}`(kind)` in this realm, or `[]`. */
export function foreignValueFaults(kind, value) {
  const local = vm.runInThisContext(VALUE_SOURCES[kind]);
  const want = inspect(local, { depth: 5 });
  const got = inspect(value, { depth: 5 });
  const faults = got === want ? [] : [`${got} is not ${want}`];
  if (Object.getPrototypeOf(value) !== Object.getPrototypeOf(local)) faults.push(`not this realm's ${kind}`);
  return faults;
}

/** The shapes, by name. */
export const FOREIGN = ['TypeError', 'Error', 'subclass', 'AggregateError', 'withCause'];

/** A new error of another realm, of shape `kind` (one of {@link FOREIGN}). */
export function makeForeign(kind) {
  const source = {
    TypeError: 'Object.assign(new TypeError("vm type"), { code: "E_VM" })',
    Error: 'Object.assign(new Error("vm plain"), { status: 7 })',
    subclass:
      'class HttpError extends RangeError { constructor() { super("vm http"); this.name = "HttpError"; this.status = 404 } }; new HttpError()',
    AggregateError: 'new AggregateError([new TypeError("one"), new Error("two")], "vm several")',
    withCause: 'new Error("vm outer", { cause: new SyntaxError("vm inner") })',
  }[kind];
  return vm.runInNewContext(source);
}

/** What is wrong with `err` as a copy of {@link makeForeign}`(kind)` in this realm, or `[]`. */
export function foreignFaults(kind, err) {
  const faults = [];
  const expect = (ok, what) => ok || faults.push(what);
  expect(err instanceof Error, 'instanceof Error');
  switch (kind) {
    case 'TypeError':
      expect(
        err instanceof TypeError && err.message === 'vm type' && err.code === 'E_VM',
        'TypeError vm type E_VM',
      );
      break;
    case 'Error':
      expect(err?.message === 'vm plain' && err?.status === 7, 'Error vm plain status 7');
      break;
    case 'subclass':
      expect(
        err instanceof RangeError && err.name === 'HttpError' && err.status === 404,
        'RangeError HttpError 404',
      );
      break;
    case 'AggregateError':
      expect(err instanceof AggregateError && err.message === 'vm several', 'AggregateError vm several');
      expect(
        err?.errors?.[0] instanceof TypeError && err?.errors?.[1]?.message === 'two',
        'errors [TypeError one, two]',
      );
      break;
    case 'withCause':
      expect(err?.message === 'vm outer' && err?.cause instanceof SyntaxError, 'vm outer, SyntaxError cause');
      break;
  }
  return faults;
}
