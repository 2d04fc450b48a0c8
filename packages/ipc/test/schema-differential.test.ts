// A worker's copy of a schema answers every value as the original does: success and output,
// deep-equal (bbK2: optional() outside an object property rejected undefined there, zod's default
// object kept unknown keys there, an exhaustive z.record(z.enum(...)) accepted missing keys there).
// Every schema of the table either round-trips exactly through the data a copy carries, or its
// copy is refused at the send; the ones refused are listed, so refusing is not a way out.
import { inspect, isDeepStrictEqual } from 'node:util';
import { SerializationError } from '@multiproc/ipc';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
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

/**
 * `schema.safeParse(x)` as comparable data. zod throws (rather than fails) where an intersection's
 * two outputs cannot merge ("Unmergable intersection"); the copy must throw there too.
 */
function answer(schema: { safeParse(x: unknown): { success: boolean; data?: unknown } }, x: unknown) {
  try {
    const r = schema.safeParse(structuredClone(x));
    return r.success ? { ok: true, data: r.data } : { ok: false };
  } catch {
    return { thrown: true };
  }
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

// The same, as a property: schemas composed at random from leaves, wrappers in any order and
// containers in every mode, probed with random JSON-like values and undefined. A fixed seed in CI,
// so a run answers for the code and not for the draw (a random seed drew a nested intersection of
// the table above in 3 runs of 60, and a record beside any once in ~20,000 draws); `MP_SOAK=1`
// draws 20,000 with a fresh seed (by hand; `MP_RUNS`, `MP_SEED` to choose). What a soak finds
// becomes a row of the table.
const SOAK = process.env.MP_SOAK === '1';
const RUNS = Number(process.env.MP_RUNS ?? (SOAK ? 20_000 : 500));
const SEED = Number(process.env.MP_SEED ?? (SOAK ? Date.now() : 0x5c4e3a));
const keys = ['a', 'b', 'c'];
type Make = () => z.ZodType;
const leafArb = fc.constantFrom<Make>(
  () => z.number(),
  () => z.number().int().min(0),
  () => z.string(),
  () => z.string().min(1).startsWith('a'),
  () => z.boolean(),
  () => z.null(),
  () => z.enum(['a', 'b']),
  () => z.literal(1),
  () => z.any(),
  () => z.email(),
);
const wrap = (arb: fc.Arbitrary<Make>, f: (s: z.ZodType) => z.ZodType) =>
  arb.map(
    (m): Make =>
      () =>
        f(m()),
  );
const objectOf = (mode: string, shape: Record<string, z.ZodType>) =>
  mode === 'strip' ? z.object(shape) : mode === 'strict' ? z.strictObject(shape) : z.looseObject(shape);
const schemaArb = fc.letrec<{ s: Make }>((tie) => ({
  s: fc.oneof(
    { depthSize: 'small' },
    leafArb,
    wrap(tie('s'), (s) => s.optional()),
    wrap(tie('s'), (s) => s.nullable()),
    wrap(tie('s'), (s) => s.nullish()),
    wrap(tie('s'), (s) => s.readonly()),
    wrap(tie('s'), (s) => s.exactOptional()),
    wrap(tie('s'), (s) => s.nonoptional()),
    fc.tuple(tie('s'), fc.constantFrom<unknown>(0, 'x', null, { a: 1 }, [1])).map(
      ([m, d]): Make =>
        () =>
          m().default(d as never),
    ),
    fc.tuple(tie('s'), fc.constantFrom<unknown>(0, 'x', { a: 1 })).map(
      ([m, d]): Make =>
        () =>
          m().prefault(d as never),
    ),
    wrap(tie('s'), (s) => z.array(s)),
    fc.tuple(fc.array(tie('s'), { maxLength: 3 }), fc.constantFrom('strip', 'strict', 'loose')).map(
      ([ms, mode]): Make =>
        () =>
          objectOf(mode, Object.fromEntries(ms.map((m, i) => [keys[i], m()]))),
    ),
    fc.tuple(fc.array(tie('s'), { minLength: 1, maxLength: 2 }), fc.option(tie('s'))).map(
      ([ms, rest]): Make =>
        () => {
          const items = ms.map((m) => m()) as [z.ZodType];
          return rest ? z.tuple(items, rest()) : z.tuple(items);
        },
    ),
    fc.array(tie('s'), { minLength: 2, maxLength: 3 }).map(
      (ms): Make =>
        () =>
          z.union(ms.map((m) => m())),
    ),
    fc.tuple(tie('s'), tie('s')).map(
      ([l, r]): Make =>
        () =>
          z.intersection(l(), r()),
    ),
    wrap(tie('s'), (s) => z.record(z.string(), s)),
    wrap(tie('s'), (s) => z.record(z.enum(['a', 'b']), s)),
  ),
})).s;
const valueArb = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(undefined, null, 0, 1, -1, 1.5, '', 'a', 'ab', 'x@y.co', true, false),
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), tie('v'), { maxKeys: 3 }),
  ),
})).v;

describe('a copy of a schema answers as the original (random schemas)', () => {
  it('every random composition round-trips exactly', { timeout: SOAK ? 0 : 60_000 }, () => {
    fc.assert(
      fc.property(schemaArb, fc.array(valueArb, { minLength: 5, maxLength: 15 }), (make, values) => {
        const schema = make();
        const copy = schemaFromData(structuredClone(schemaToData(schema, 'args[0]')));
        if (!copy) throw new Error('no schema rebuilt');
        for (const x of values) expect([x, answer(copy, x)]).toEqual([x, answer(schema, x)]);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
});
