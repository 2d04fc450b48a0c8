// Faults that used to hang a call: an async input that stops yielding (timeout and
// abort must still settle the call), values nested too deep for the receiver's deserializer
// (refused at the sender with SerializationError), sparse arrays (cost by elements, not length).
import { ProcessError, SerializationError } from '@multiproc/shared';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { nested, tasks as t } from './fixtures/deep-tasks.mjs';
import { poolMaker, serializationFailure } from './helpers.ts';
import { call as callWith, failure, METHODS, type Method, shaped, stalls } from './input-kit.ts';

const makePool = poolMaker();

/** Runs `method` over an input that yields 1 and 2, then waits forever, like a socket that stops sending. */
const call = (pool: ReturnType<typeof makePool>, method: Method, options: object) =>
  callWith(pool, method, t.square, stalls(shaped(method, [1, 2])), options);

describe.each(matrix(import.meta.url))('in the %s context', (context) => {
  describe.each(METHODS)('%s over an async input that stops yielding', (method) => {
    it('rejects with TimeoutError on its timeout', { timeout: 20_000 }, async () => {
      const pool = makePool({ processes: 2, context });
      const err = await failure(call(pool, method, { timeout: 200 }));
      expect(err).toBeInstanceOf(ProcessError);
      expect(err.name).toBe('TimeoutError');
    });

    it('rejects with AbortError on its signal', { timeout: 20_000 }, async () => {
      const pool = makePool({ processes: 2, context });
      const controller = new AbortController();
      const err = failure(call(pool, method, { signal: controller.signal }));
      setTimeout(() => controller.abort(new Error('stop')), 100);
      expect((await err).name).toBe('AbortError');
      // The pool goes on.
      expect(await pool.map(t.square, [3])).toEqual([9]);
    });
  });

  describe('a value nested deeper than 1000 levels', () => {
    it('as an argument: SerializationError naming the path and the limit, and the pool goes on', {
      timeout: 20_000,
    }, async () => {
      const pool = makePool({ processes: 1, context });
      // The argument list counts as a level: 999 below it is the most that goes.
      expect(await pool.apply(t.depthOf, [nested(999)])).toBe(999);
      const err = await serializationFailure(pool.apply(t.depthOf, [nested(3000)]));
      expect(err.path).toMatch(/^args\[0\](\.c)+$/);
      expect(err.message).toMatch(/1000/);
      expect((await serializationFailure(pool.map(t.depthOf, [1, nested(2000)]))).path).toMatch(
        /^items\[1\]/,
      );
      expect(await pool.apply(t.square, [3])).toBe(9);
    });

    it('as a result: SerializationError; as a thrown error field: that field is one; the worker lives on', {
      timeout: 20_000,
    }, async () => {
      const pool = makePool({ processes: 1, context });
      expect(await pool.apply(t.depthOf, [(await pool.apply(t.nested, [1000])).c])).toBe(999);
      const result = await serializationFailure(pool.apply(t.nested, [3000]));
      expect(result.path).toMatch(/^result(\.c)+$/);
      const mapped = await serializationFailure(pool.map(t.nested, [1, 3000]));
      expect(mapped).toBeInstanceOf(SerializationError);
      // The task's own error comes back; the field that cannot be sent is a SerializationError
      // naming it (errors.md), as a function in a field is. It replaced the whole error before.
      const thrown = (await pool.apply(t.throwNested, [3000]).catch((e: unknown) => e)) as Error & {
        data: SerializationError;
      };
      expect([thrown.constructor, thrown.message]).toEqual([Error, 'deep field']);
      expect(thrown.data).toBeInstanceOf(SerializationError);
      expect(thrown.data.path).toMatch(/^error\.data(\.c)+$/);
      expect(await pool.apply(t.square, [4])).toBe(16);
      pool.close();
      await pool.join();
    });

    it('as a thrown value: 1000 levels arrive as themselves; 1001 as an Error saying why, with its fields', {
      timeout: 20_000,
    }, async () => {
      // The same in the BullMQ pool (its deep-values test): a thrown value's nesting counts from the value.
      const pool = makePool({ processes: 1, context });
      const thrown = (depth: number) => pool.apply(t.throwValue, [depth]).catch((e: unknown) => e);
      expect(await thrown(1000)).toEqual(nested(1000));
      const deep = (await thrown(1001)) as Error & { c: unknown };
      expect([deep.constructor, deep.name]).toEqual([Error, 'Error']);
      // The path said once per run of one step, with its count (it was cut to its ends before).
      expect(deep.message).toMatch(
        /^A non-Error value was thrown: [\s\S]*\(it cannot be sent back: Cannot send error\.c\.c\.c… \(\.c 1000 times\): the value is nested more than 1000 levels deep/,
      );
      expect(deep.c).toEqual(nested(1000));
      expect(await pool.apply(t.square, [4])).toBe(16);
    });

    it('as an initarg: the Pool constructor throws SerializationError', () => {
      expect(() =>
        makePool({ processes: 1, context, initializer: t.depthOf, initargs: [nested(3000)] }),
      ).toThrow(SerializationError);
    });
  });

  it('sparse arrays cost by their elements, not their length, and keep their holes', {
    timeout: 20_000,
  }, async () => {
    const pool = makePool({ processes: 1, context });
    const back = (await pool.apply(t.sparse, [4e9])) as unknown[];
    expect(back.length).toBe(4e9 + 1);
    expect(Object.keys(back)).toEqual(['4000000000']);
    const arg: unknown[] = [];
    arg[5] = { x: 1 };
    arg[4e9] = 2;
    expect(await pool.apply(t.keysOf, [arg])).toEqual({ keys: ['5', '4000000000'], length: 4e9 + 1 });
  });
});

describe('Python None defaults', () => {
  it('processes, initializer and maxTasksPerChild accept null as "the default"', {
    timeout: 20_000,
  }, async () => {
    const pool = makePool({ processes: null, initializer: null, maxTasksPerChild: null });
    expect(await pool.map(t.square, [1, 2, 3])).toEqual([1, 4, 9]);
  });
});
