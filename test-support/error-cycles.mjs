// Errors that refer to themselves, for the tests of every codec that carries errors (a pool task's
// throw or result, a pipe's or queue's value, a manager's reply): built in a worker or here, they
// must come back with the same cycles (checkCycle), never fail the send or come back as copies.

/** The shapes, by name. */
export const CYCLES = ['self', 'pair', 'field', 'nestedField', 'aggregate', 'suppressed'];

/** A new error of shape `kind` (one of {@link CYCLES}). */
export function makeCycle(kind) {
  switch (kind) {
    case 'self': {
      const e = new TypeError('self');
      e.cause = e;
      e.code = 'E_SELF';
      return e;
    }
    case 'pair': {
      const a = new RangeError('a');
      a.cause = new Error('b', { cause: a });
      return a;
    }
    case 'field': {
      const e = new Error('field');
      e.self = e;
      return e;
    }
    case 'nestedField': {
      const e = new Error('nested');
      e.peer = { back: e, list: [e] };
      return e;
    }
    case 'aggregate': {
      const inner = new Error('inner');
      const agg = new AggregateError([inner], 'agg');
      inner.cause = agg;
      agg.errors.push(agg);
      return agg;
    }
    case 'suppressed': {
      // Node 24 has the class; before it, an Error of that name with the same two fields.
      const S = globalThis.SuppressedError;
      const e = S
        ? new S(undefined, undefined, 'supp')
        : Object.assign(new Error('supp'), { error: 0, suppressed: 0 });
      if (!S) e.name = 'SuppressedError';
      e.error = e;
      e.suppressed = new Error('first', { cause: e });
      return e;
    }
    default:
      throw new Error(`no such cycle: ${kind}`);
  }
}

/** What is wrong with `err` as a copy of {@link makeCycle}`(kind)`, or `[]`. */
export function cycleFaults(kind, err) {
  const faults = [];
  const expect = (ok, what) => ok || faults.push(what);
  expect(err instanceof Error, 'an Error');
  if (!(err instanceof Error)) return faults;
  switch (kind) {
    case 'self':
      expect(
        err instanceof TypeError && err.message === 'self' && err.code === 'E_SELF',
        'TypeError self E_SELF',
      );
      expect(err.cause === err, 'err.cause === err');
      break;
    case 'pair':
      expect(err instanceof RangeError && err.cause?.message === 'b', 'RangeError a, cause b');
      expect(err.cause?.cause === err, 'err.cause.cause === err');
      break;
    case 'field':
      expect(err.self === err, 'err.self === err');
      break;
    case 'nestedField':
      expect(err.peer?.back === err, 'err.peer.back === err');
      expect(err.peer?.list?.[0] === err, 'err.peer.list[0] === err');
      break;
    case 'aggregate':
      expect(err instanceof AggregateError && err.errors?.length === 2, 'AggregateError of 2');
      expect(err.errors?.[1] === err, 'err.errors[1] === err');
      expect(err.errors?.[0]?.cause === err, 'err.errors[0].cause === err');
      break;
    case 'suppressed':
      expect(err.name === 'SuppressedError' && err.message === 'supp', 'SuppressedError supp');
      expect(err.error === err, 'err.error === err');
      expect(err.suppressed?.cause === err, 'err.suppressed.cause === err');
      break;
  }
  return faults;
}
