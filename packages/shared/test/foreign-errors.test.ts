// An error made in another realm (a `vm` context) is not `instanceof` this realm's `Error`; the
// codec read it as a plain object, so a task returning one (or a queue value holding one) arrived
// as `{}`. Every place that tells an error now asks src/internal/is-error.ts: it arrives as this
// realm's class, with its message, fields, cause and aggregated errors.
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript module (no types), shared by the packages' tests.
import { FOREIGN, foreignFaults, makeForeign } from '../../../test-support/foreign-errors.mjs';
import { decodeValue, ERRORS_AS_VALUES, encodeValue, fromErrorRecord, toErrorRecord } from '../src/index.js';
import { isError } from '../src/internal/is-error.js';
import { throughAThread } from './helpers.js';

const kinds = FOREIGN as string[];

describe('errors of another realm', () => {
  it('are errors; look-alikes are not', () => {
    expect(kinds.every((k) => isError(makeForeign(k)))).toBe(true);
    expect(isError({ name: 'Error', message: 'm', stack: 's' })).toBe(false);
    expect(isError({ [Symbol.toStringTag]: 'Error' })).toBe(false);
    expect(isError(Object.create(Error.prototype))).toBe(true);
  });

  it.each(kinds)('thrown (%s): rebuilt as this realm’s class', (kind) => {
    const back = fromErrorRecord(structuredClone(toErrorRecord(makeForeign(kind))));
    expect(foreignFaults(kind, back)).toEqual([]);
  });

  it.each(kinds)('inside a value (%s), through a thread', { timeout: 15_000 }, async (kind) => {
    const { value } = encodeValue({ err: makeForeign(kind) }, 'process', 'value', ERRORS_AS_VALUES);
    const back = decodeValue(await throughAThread(value), 'process') as { err: unknown };
    expect(foreignFaults(kind, back.err)).toEqual([]);
  });
});
