// An error that refers back to itself, held twice in one message (two fields of a thrown error, a
// list and a field, a value's two parts), arrives as one error, as structured clone keeps an
// object held twice: its record is written once and rebuilt once. It used to be written again
// where it was met a second time, so `err.a !== err.b` on the receiving side.
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript module (no types), shared by the packages' tests.
import { HELD_TWICE, identityFaults } from '../../../test-support/error-identity.mjs';
import { decodeValue, ERRORS_AS_VALUES, encodeValue, fromErrorRecord, toErrorRecord } from '../src/index.js';

const shapes = Object.entries(HELD_TWICE as Record<string, () => Error>);

describe('an error that refers back to itself, held twice in one message', () => {
  it.each(shapes)('thrown (%s): one error on the receiving side', (_, make) => {
    const sent = make();
    const back = fromErrorRecord(structuredClone(toErrorRecord(sent)));
    expect(identityFaults(sent, back)).toEqual([]);
  });

  it.each(shapes)('as a value (%s), also beside itself: one error', (_, make) => {
    const sent = make();
    const value = { err: sent, again: [sent, { sent }] };
    const out = encodeValue(value, 'process', 'value', ERRORS_AS_VALUES);
    const back = decodeValue(structuredClone(out.value), 'process');
    expect(identityFaults(value, back)).toEqual([]);
  });

  it('the reported case: e.cause = e in two fields of a thrown error', () => {
    const e = new Error('x');
    e.cause = e;
    const back = fromErrorRecord(
      structuredClone(toErrorRecord(Object.assign(new Error('outer'), { a: e, b: e }))),
    ) as Error & {
      a: Error;
      b: Error;
    };
    expect(back.a).toBe(back.b);
    expect(back.a.cause).toBe(back.a);
  });
});
