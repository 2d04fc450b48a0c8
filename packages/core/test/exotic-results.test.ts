// A task result that a structured clone refuses is a SerializationError naming its path in both
// contexts, never a silent `{}`: a process pool sends results as JSON text when it can, and JSON
// writes a generator, an iterator, an `arguments` object or an Intl object as a plain object.
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { makers, tasks as t } from './fixtures/exotic-results.mjs';
import { poolMaker, serializationFailure } from './helpers.ts';

const makePool = poolMaker();
// The values this Node line has (an iterator helper from Node 22, DisposableStack from 24).
const names = Object.keys(makers).filter((name) => makers[name]() !== null);

describe.each(matrix(import.meta.url))('a result a structured clone refuses, %s context', (context) => {
  it('rejects apply() with SerializationError at `result` (also nested); the worker lives on', {
    timeout: 30_000,
  }, async () => {
    const pool = makePool({ processes: 1, context });
    for (const name of names) {
      expect((await serializationFailure(pool.apply(t.exotic, [name, false]))).path, name).toBe('result');
      const nested = await serializationFailure(pool.apply(t.exotic, [name, true]));
      expect(nested.path, name).toBe('result.at[1]');
    }
    expect(await pool.apply(t.exoticAt1, [0, 'generator'])).toBe(0);
  });

  it('rejects map() with SerializationError at `result[1]`; the next call runs', {
    timeout: 30_000,
  }, async () => {
    const pool = makePool({ processes: 1, context });
    for (const name of names) {
      const args = [0, 1, 2].map((i) => [i, name]);
      const failure = await serializationFailure(pool.starmap(t.exoticAt1, args, { chunksize: 3 }));
      expect(failure.path, name).toBe('result[1]');
    }
    expect(await pool.map(t.exoticAt1, [0, 2, 3])).toEqual([0, 2, 3]);
  });
});
