// A schema's input type is what senders give, its output what receivers get: put('41') and get()
// resolves to 41 with `z.string().transform(Number)`, in this thread and across a worker.

import {
  type Connection,
  JoinableQueue,
  Pipe,
  Queue,
  type ReceiveEnd,
  type SendEnd,
  SimpleQueue,
} from '@multiproc/ipc';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import * as zm from 'zod/mini';
import { matrix } from '../../../test-support/matrix.ts';
import { core } from './core.js';

const { tasks } = await import(new URL('./fixtures/schema-tasks.mjs', import.meta.url).href);

type TestPool = { apply(task: unknown, args: unknown[]): Promise<any>; terminate(): Promise<void> };
let started: TestPool | null = null;
afterEach(async () => {
  await started?.terminate();
  started = null;
});

const toNumber = z.string().transform(Number);
const withDefault = z.object({ n: z.number().default(0) });

describe('schema input and output types', () => {
  it('senders take z.input, receivers give z.output', () => {
    expectTypeOf<Queue<number, string>['put']>().parameter(0).toEqualTypeOf<string>();
    const q = new Queue({ schema: toNumber });
    expectTypeOf(q).toEqualTypeOf<Queue<number, string>>();
    expectTypeOf(q.put).parameter(0).toEqualTypeOf<string>();
    expectTypeOf(q.putNowait).parameter(0).toEqualTypeOf<string>();
    expectTypeOf(q.get).returns.resolves.toEqualTypeOf<number>();
    expectTypeOf(q.getNowait).returns.toEqualTypeOf<number>();
    const jq = new JoinableQueue({ schema: withDefault });
    expectTypeOf(jq.put).parameter(0).toEqualTypeOf<{ n?: number | undefined }>();
    expectTypeOf(jq.get).returns.resolves.toEqualTypeOf<{ n: number }>();
    const sq = new SimpleQueue({ schema: z.coerce.number<string>() });
    expectTypeOf(sq.put).parameter(0).toEqualTypeOf<string>();
    expectTypeOf(sq.get).returns.resolves.toEqualTypeOf<number>();
    const mini = new Queue({ schema: zm.pipe(zm.string(), zm.transform(Number)) });
    expectTypeOf(mini).toEqualTypeOf<Queue<number, string>>();
    const [a, b] = Pipe({ schema: toNumber });
    expectTypeOf(a).toEqualTypeOf<Connection<number, string>>();
    expectTypeOf(b.send).parameter(0).toEqualTypeOf<string>();
    expectTypeOf(b.recv).returns.resolves.toEqualTypeOf<number>();
    const [r, w] = Pipe({ duplex: false, schema: toNumber });
    expectTypeOf(r).toEqualTypeOf<ReceiveEnd<number, string>>();
    expectTypeOf(w).toEqualTypeOf<SendEnd<number, string>>();
    expectTypeOf(w.send).parameter(0).toEqualTypeOf<string>();
    expectTypeOf(r.recv).returns.resolves.toEqualTypeOf<number>();
    // @ts-expect-error: the receiver would refuse a number
    const refused = () => q.put(41);
    void refused;
    for (const c of [q, jq, sq, mini, a, b, r, w]) c.close();
  });

  it('without a schema, or with one whose input is its output, one type serves both', () => {
    expectTypeOf(new Queue<number>()).toEqualTypeOf<Queue<number, number>>();
    expectTypeOf(new Queue({ schema: z.number() })).toEqualTypeOf<Queue<number>>();
    // A schema typed z.ZodType<T> parses anything: an explicit type argument still takes it.
    const anyInput: z.ZodType<number> = z.number();
    expectTypeOf(new Queue<number>({ schema: anyInput })).toEqualTypeOf<Queue<number>>();
    expectTypeOf(Pipe<string>()).toEqualTypeOf<[Connection<string>, Connection<string>]>();
  });
});

describe('schema input and output across a worker', () => {
  for (const context of matrix(import.meta.url)) {
    it(`a ${context} worker sends the input and the receiver gets the output`, {
      timeout: 20_000,
    }, async () => {
      started = new core.Pool({ processes: 1, context }) as TestPool;
      // A send-only end carries no schema, so a transform goes: the worker sends '41', here recv() gives 41.
      const [r, w] = Pipe({ duplex: false, schema: toNumber });
      await started.apply(tasks.send, [w, '41']);
      const got: number = await r.recv();
      expect(got).toBe(41);
      // A default travels: put {} here, the worker's copy gets { n: 0 }.
      const q = new Queue({ schema: withDefault });
      await q.put({});
      expect(await started.apply(tasks.get, [q])).toEqual(['value', { n: 0 }]);
      for (const c of [r, w, q]) c.close();
    });
  }
});
