// Errors made in another realm (a `vm` context), which are not `instanceof` this realm's `Error`:
// for the tests of every codec that carries errors. Each must arrive as the receiver's own class
// with its message, fields and cause, never as a plain `{}`.
import vm from 'node:vm';

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
