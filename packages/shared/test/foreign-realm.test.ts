// Values of another realm (a `vm` context), whose classes no check by identity here knows:
// - an error is not `instanceof` this realm's `Error`; the codec read it as a plain object, so a
//   task returning one (or a queue value holding one) arrived as `{}`. Every place that tells an
//   error now asks src/internal/realms.ts: it arrives as this realm's class, with its message,
//   fields, cause and aggregated errors;
// - a Map, Set, RegExp or ArrayBuffer passed as JSON-exact (its class unknown here, it read as a
//   class instance with no fields), so a process pool's result carried it as `{}`.
import { describe, expect, it } from 'vitest';
import {
  FOREIGN,
  FOREIGN_VALUES,
  foreignFaults,
  foreignValueFaults,
  makeForeign,
  makeForeignValue,
  // @ts-expect-error: a plain JavaScript module (no types), shared by the packages' tests.
} from '../../../test-support/foreign-realm.mjs';
import {
  decodeJson,
  decodeValue,
  ERRORS_AS_VALUES,
  encodeJson,
  encodeValue,
  fromErrorRecord,
  toErrorRecord,
} from '../src/index.js';
import { isError } from '../src/internal/realms.js';
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

  it.each(FOREIGN_VALUES as string[])(
    'a value (%s): as JSON only when JSON keeps it, and through a thread',
    {
      timeout: 15_000,
    },
    async (kind) => {
      const sent = encodeJson({ v: makeForeignValue(kind) });
      if (sent)
        expect(foreignValueFaults(kind, (decodeJson(structuredClone(sent)) as { v: unknown }).v)).toEqual([]);
      const { value } = encodeValue({ v: makeForeignValue(kind) }, 'process', 'value', ERRORS_AS_VALUES);
      const back = decodeValue(await throughAThread(value), 'process') as { v: unknown };
      expect(foreignValueFaults(kind, back.v)).toEqual([]);
    },
  );
});
