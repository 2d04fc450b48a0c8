// A worker's copy of a schema answers every value as the original does: success and output,
// deep-equal (bbK2: optional() outside an object property rejected undefined there, zod's default
// object kept unknown keys there, an exhaustive z.record(z.enum(...)) accepted missing keys there).
// Every schema of the table either round-trips exactly through the data a copy carries, or its
// copy is refused at the send; the ones refused are listed, so refusing is not a way out.
import { inspect, isDeepStrictEqual } from 'node:util';
import { SerializationError } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';
import { schemaFromData, schemaToData } from '../src/internal/schema.js';
import { commonInputs, schemaTable } from './schema-table.js';

/** Rows whose copy is refused, each for a reason the message names. */
const REFUSED: Record<string, RegExp> = {
  'url with protocol': /z\.url\(\) with options/,
  'record number keys min': /record key z\.number\(\)/,
  'regex u flag': /flags \(u\)/,
  'regex i flag': /flags \(i\)/,
  'custom string format': /z\.even-length\(\) with options/,
};

/** `schema.safeParse(x)` as comparable data. */
function answer(schema: { safeParse(x: unknown): { success: boolean; data?: unknown } }, x: unknown) {
  const r = schema.safeParse(structuredClone(x));
  return r.success ? { ok: true, data: r.data } : { ok: false };
}

describe('a copy of a schema answers as the original', () => {
  it('has a table of at least 60 schemas', () => {
    expect(schemaTable.length).toBeGreaterThanOrEqual(60);
  });

  it.each(schemaTable)('%s', { timeout: 10_000 }, (name, schema, own = []) => {
    if (name in REFUSED) {
      let err: unknown;
      try {
        schemaToData(schema, 'args[0]');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SerializationError);
      expect(err).toMatchObject({ code: 'MP_SERIALIZATION', path: 'args[0]' });
      expect((err as Error).message).toMatch(REFUSED[name] as RegExp);
      return;
    }
    // What a copy carries crosses as a structured clone, to a fresh rebuild.
    const copy = schemaFromData(structuredClone(schemaToData(schema, 'args[0]')));
    if (!copy) throw new Error('no schema rebuilt');
    const differences: string[] = [];
    for (const x of [...commonInputs, ...own]) {
      const home = answer(schema, x);
      const there = answer(copy, x);
      if (!isDeepStrictEqual(home, there))
        differences.push(`${inspect(x)}: ${inspect(home)} here, ${inspect(there)} there`);
    }
    expect(differences).toEqual([]);
  });
});
