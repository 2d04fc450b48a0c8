// The error records every package's codec uses (src/internal/error-record.ts, error-refs.ts): an
// error that refers to itself is written once and rebuilt with the same cycles, whether it is
// thrown (a record) or a value (inside an encoded value), and through a real thread's clone.
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript module (no types), shared by the packages' tests.
import { CYCLES, cycleFaults, makeCycle } from '../../../test-support/error-cycles.mjs';
import { decodeValue, ERRORS_AS_VALUES, encodeValue, fromErrorRecord, toErrorRecord } from '../src/index.js';
import { throughAThread } from './helpers.js';

const kinds = CYCLES as string[];

describe('errors that refer to themselves', () => {
  it.each(kinds)('as a record (%s): written once, rebuilt with its cycles', (kind) => {
    const record = toErrorRecord(makeCycle(kind));
    expect(cycleFaults(kind, fromErrorRecord(structuredClone(record)))).toEqual([]);
  });

  it.each(kinds)('inside a value (%s), through a thread', { timeout: 15_000 }, async (kind) => {
    const { value } = encodeValue({ err: makeCycle(kind) }, 'process', 'value', ERRORS_AS_VALUES);
    const back = decodeValue(await throughAThread(value), 'process') as { err: unknown };
    expect(cycleFaults(kind, back.err)).toEqual([]);
  });

  it('an error met twice but not inside itself comes back as one error, as structured clone keeps it', () => {
    const shared = new Error('twice');
    const outer = Object.assign(new Error('outer'), { a: shared, b: shared, list: [shared] });
    const back = fromErrorRecord(structuredClone(toErrorRecord(outer))) as Error & {
      a: Error;
      b: Error;
      list: Error[];
    };
    expect([back.a.message, back.b.message]).toEqual(['twice', 'twice']);
    expect(back.b).toBe(back.a);
    expect(back.list[0]).toBe(back.a);
  });

  it('a cause chain deeper than the depth limit still ends in a copy, not a cycle', () => {
    let e = new Error('0');
    for (let i = 1; i < 20; i++) e = new Error(String(i), { cause: e });
    let back = fromErrorRecord(structuredClone(toErrorRecord(e))) as Error;
    const seen: string[] = [];
    while (back instanceof Error && seen.length < 30) {
      seen.push(back.message);
      back = back.cause as Error;
    }
    expect(seen.slice(0, 3)).toEqual(['19', '18', '17']);
    expect(new Set(seen).size).toBe(seen.length);
  });
});
