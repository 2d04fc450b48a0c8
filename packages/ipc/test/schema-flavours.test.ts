// Which zod schemas a queue or pipe takes, the same in the types and at run time: a zod 4 schema,
// from `zod` (classic) or `zod/mini`, checked here and by a copy in a thread or a child process. A
// zod 3 schema (`zod@3`, `zod/v3`) checked here but could not travel (no JSON Schema): it is a
// compile error and a ValidationError at construction, saying to build it with zod 4.
import { type Connection, JoinableQueue, Pipe, Queue, SimpleQueue, ValidationError } from '@multiproc/ipc';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import * as zm from 'zod/mini';
import { z as z3 } from 'zod/v3';
import { matrix } from '../../../test-support/matrix.ts';
import { core } from './core.js';

const { tasks } = await import(new URL('./fixtures/schema-tasks.mjs', import.meta.url).href);

type TestPool = { apply(task: unknown, args: unknown[]): Promise<any>; terminate(): Promise<void> };
const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

describe('zod/mini schemas', () => {
  it('type the queue and the pipe by their output, as classic ones do', () => {
    const q = new Queue({ schema: zm.number() });
    const jq = new JoinableQueue({ schema: zm.object({ a: zm.string() }) });
    const sq = new SimpleQueue({ schema: zm.array(zm.boolean()) });
    const [a, b] = Pipe({ schema: zm.string() });
    closers.push(() => {
      for (const c of [q, jq, sq, a, b]) c.close();
    });
    expectTypeOf(q).toEqualTypeOf<Queue<number>>();
    expectTypeOf(jq).toEqualTypeOf<JoinableQueue<{ a: string }>>();
    expectTypeOf(sq).toEqualTypeOf<SimpleQueue<boolean[]>>();
    expectTypeOf(b).toEqualTypeOf<Connection<string>>();
    expectTypeOf(new Queue({ schema: z.number() })).toEqualTypeOf<Queue<number>>();
  });

  it('check what is received here: a bad value rejects with ValidationError, the next arrives', async () => {
    const q = new Queue<unknown>({ schema: zm.number() });
    closers.push(() => q.close());
    await q.put('not a number');
    await q.put(2);
    await expect(q.get()).rejects.toBeInstanceOf(ValidationError);
    expect(await q.get()).toBe(2);
  });

  for (const context of matrix(import.meta.url)) {
    it(`travel to a ${context} worker, whose copy checks as here`, { timeout: 30_000 }, async () => {
      const pool = new core.Pool({ processes: 1, context }) as TestPool;
      closers.push(() => pool.terminate());
      const schema = zm.object({ n: zm.number(), tag: zm._default(zm.enum(['a', 'b']), 'a') });
      const values = [{ n: 'x' }, { n: 1 }];
      const q = new Queue<unknown>({ schema });
      const [a, b] = Pipe<unknown>({ schema });
      closers.push(() => {
        for (const c of [q, a, b]) c.close();
      });
      for (const v of values) {
        await q.put(v);
        a.send(v);
      }
      const expected = [
        ['ValidationError', 'MP_VALIDATION'],
        ['value', { n: 1, tag: 'a' }],
      ];
      expect(await pool.apply(tasks.getMany, [q, values.length])).toEqual(expected);
      expect(await pool.apply(tasks.recvMany, [b, values.length])).toEqual(expected);
    });
  }
});

describe('zod 3 schemas', () => {
  it('are a compile error and a ValidationError at construction, naming zod 4', () => {
    const made = [
      // @ts-expect-error: a zod 3 schema is not a zod 4 one
      () => new Queue({ schema: z3.number() }),
      // @ts-expect-error: a zod 3 schema is not a zod 4 one
      () => new JoinableQueue({ schema: z3.string() }),
      // @ts-expect-error: a zod 3 schema is not a zod 4 one
      () => new SimpleQueue({ schema: z3.object({ a: z3.number() }) }),
      // @ts-expect-error: a zod 3 schema is not a zod 4 one
      () => Pipe({ schema: z3.boolean() }),
    ];
    for (const make of made) {
      let thrown: unknown;
      try {
        make();
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(ValidationError);
      expect((thrown as Error).message).toMatch(/option 'schema' .*zod 3 .*zod 4/);
    }
  });
});
