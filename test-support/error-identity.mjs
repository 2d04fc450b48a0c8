// Errors that refer back to themselves, held more than once in one message: for the tests of every
// codec that carries errors (a pool task's throw, result or arguments, a pipe's value, a manager's
// reply). Each object the sender held twice must arrive as one object, and each cycle as a cycle,
// exactly as structured clone keeps an object graph (identityFaults compares the two graphs).
import { makeCycle } from './error-cycles.mjs';

/** The shapes, by name: each builds the value to send (an Error, which may also be thrown). */
export const HELD_TWICE = {
  // The case reported: `e.cause = e`, held by two fields of the error thrown.
  selfInTwoFields: () => {
    const e = new Error('x');
    e.cause = e;
    return Object.assign(new Error('outer'), { a: e, b: e });
  },
  // Every cycle shape of error-cycles.mjs, held by two fields.
  ...Object.fromEntries(
    ['self', 'pair', 'field', 'nestedField', 'aggregate', 'suppressed'].map((kind) => [
      `cycle ${kind} twice`,
      () => {
        const c = makeCycle(kind);
        return Object.assign(new Error('outer'), { a: c, b: c });
      },
    ]),
  ),
  // Two errors each other's cause, each held once more where the other is not above it.
  crossedCauses: () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    a.cause = b;
    return Object.assign(new Error('outer'), { x: a, y: b });
  },
  // The same, the inner one met first.
  crossedInnerFirst: () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    a.cause = b;
    return Object.assign(new Error('outer'), { y: b, x: a });
  },
  // A cycle through a plain object in a field, the inner error held again outside it.
  throughPlainField: () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    a.x = { inner: b };
    return Object.assign(new Error('outer'), { a, b });
  },
  // The same two plain objects deep, the innermost error's cause the outermost one.
  twoPlainLevels: () => {
    const a = new Error('a');
    const b = new Error('b');
    const c = new Error('c', { cause: a });
    a.x = { inner: b };
    b.y = { inner: [c] };
    return Object.assign(new Error('outer'), { c, a, b });
  },
  // An AggregateError whose errors repeat one self-referring error.
  aggregateOfSelf: () => {
    const e = new TypeError('e');
    e.cause = e;
    return new AggregateError([e, e, e], 'agg', { cause: e });
  },
  // A ring of five causes, entered twice at different points.
  deepRing: () => {
    const ring = [0, 1, 2, 3, 4].map((i) => new Error(`r${i}`));
    ring.forEach((e, i) => {
      e.cause = ring[(i + 1) % ring.length];
    });
    return Object.assign(new Error('outer'), { first: ring[0], mid: ring[3] });
  },
  // Held by a list and a field of the error thrown.
  inAList: () => {
    const e = new Error('x');
    e.cause = e;
    return Object.assign(new Error('outer'), { list: [e, { e }], e });
  },
  // An AggregateError of 100 errors: 50 that each refer to themselves, each held twice.
  wideAggregate: () => {
    const errs = Array.from({ length: 50 }, (_, i) => {
      const e = new Error(`w${i}`);
      e.self = e;
      return e;
    });
    return new AggregateError([...errs, ...errs], 'wide');
  },
};

const NESTED = ['cause', 'errors', 'error', 'suppressed'];

/**
 * What differs between `sent` and `back` as object graphs, or `[]`: each object met twice in `sent`
 * must be one object in `back` (and two objects of `sent` two in `back`), errors compared by class
 * name, message, own fields, `cause`, `errors`, `error` and `suppressed`.
 */
export function identityFaults(sent, back) {
  const faults = [];
  const pairs = new Map();
  const images = new Map();
  const walk = (a, b, path) => {
    if (typeof a !== 'object' || a === null) {
      if (!Object.is(a, b)) faults.push(`${path}: ${String(a)} became ${String(b)}`);
      return;
    }
    if (typeof b !== 'object' || b === null) {
      faults.push(`${path}: an object became ${String(b)}`);
      return;
    }
    if (pairs.has(a)) {
      if (pairs.get(a) !== b) faults.push(`${path}: a copy of ${images.get(pairs.get(a))}`);
      return;
    }
    if (images.has(b)) {
      faults.push(`${path}: the same object as ${images.get(b)}, sent as two`);
      return;
    }
    pairs.set(a, b);
    images.set(b, path);
    if (a instanceof Error) {
      if (!(b instanceof Error) || a.name !== b.name || a.message !== b.message) {
        faults.push(`${path}: ${a.name}: ${a.message} became ${String(b?.name)}: ${String(b?.message)}`);
      }
      for (const key of NESTED) if (key in a) walk(a[key], b[key], `${path}.${key}`);
    }
    for (const key of Object.keys(a)) if (!NESTED.includes(key)) walk(a[key], b[key], `${path}.${key}`);
  };
  walk(sent, back, 'value');
  return faults;
}
