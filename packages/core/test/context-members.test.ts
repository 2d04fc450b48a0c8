// Every class and factory of both contexts works called (Python: `ctx.Queue()`) and with `new`;
// the error classes are the classes themselves.
import * as core from '@multiproc/core';
import { getContext, Pool, Process, type ProcessContext, type ThreadContext } from '@multiproc/core';
import { HELPERS, type HelperName } from '@multiproc/core/internal';
import * as ipc from '@multiproc/ipc';
import { Connection, Listener, Queue } from '@multiproc/ipc';
import { Lock, SharedArray } from '@multiproc/shared';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { matrix } from '../../../test-support/matrix.ts';
import { tasks } from './fixtures/tasks.ts';

const argsOf: Record<string, unknown[]> = {
  Semaphore: [1],
  BoundedSemaphore: [1],
  Barrier: [1],
  Value: ['i', 0],
  RawValue: ['i', 0],
  SynchronizedValue: ['i', 0],
  SynchronizedArray: ['i', 2],
  Array: ['i', 2],
  SharedArray: ['i', 2],
  RawArray: ['i', 2],
  ByteChannel: [{ capacity: 64 }],
  Pool: [{ processes: 1 }],
  Process: [{ target: tasks.noop }],
};

async function dispose(made: unknown): Promise<void> {
  const o = made as { terminate?: () => unknown; close?: () => unknown };
  if (made instanceof Pool) await made.terminate();
  else if (made instanceof Process) made.close();
  else if (made instanceof Queue) made.close();
  else if (Array.isArray(made)) for (const end of made) end?.close?.();
  else if (o && typeof o.close === 'function' && !('release' in o)) o.close();
}

describe.each(matrix(import.meta.url))('members of getContext(%s)', (name) => {
  const ctx = getContext(name) as unknown as Record<string, unknown>;
  const members = Object.keys(ctx).filter((k) => /^[A-Z]/.test(k) && typeof ctx[k] === 'function');
  // Made by the library only: a Listener or Client needs a peer, a proxy a manager's record, and
  // a Connection a link (Pipe() and Client() make them).
  const skipped = new Set(['Listener', 'Client', 'BaseProxy', 'Connection']);

  it('has the classes Python code calls on a context', () => {
    for (const k of ['Queue', 'Lock', 'Pool', 'Process', 'Manager', 'Array', 'Value', 'Pipe', 'Event']) {
      expect(members).toContain(k);
    }
  });

  it('gives the error classes themselves: each name is one class', () => {
    const errors = members.filter((k) => k.endsWith('Error'));
    expect(errors).toContain('TimeoutError');
    for (const k of errors) {
      expect(ctx[k], k).toBe((core as Record<string, unknown>)[k] ?? (ipc as Record<string, unknown>)[k]);
    }
  });

  it.each(members.filter((k) => !skipped.has(k) && !k.endsWith('Error')))(
    '%s works with and without new, with the same kind of result',
    {
      timeout: 20_000,
    },
    async (k) => {
      const make = ctx[k] as (...args: unknown[]) => unknown;
      const Make = ctx[k] as new (...args: unknown[]) => unknown;
      const args = argsOf[k] ?? [];
      let called: unknown;
      let constructed: unknown;
      try {
        called = make(...args);
        constructed = new Make(...args);
        expect(typeof called).toBe('object');
        expect(Object.getPrototypeOf(called)).toBe(Object.getPrototypeOf(constructed));
        if (!Array.isArray(called)) {
          expect(called).toBeInstanceOf(Make);
          expect(constructed).toBeInstanceOf(Make);
        }
      } finally {
        await dispose(called);
        await dispose(constructed);
      }
    },
  );
});

describe('context members', () => {
  it('keep instanceof with the library classes and bind Process and Pool', async () => {
    const thread = getContext('thread');
    expect(thread.Lock()).toBeInstanceOf(Lock);
    expect(thread.Array('i', 2)).toBeInstanceOf(SharedArray);
    const q = getContext('process').Queue();
    expect(q).toBeInstanceOf(Queue);
    q.close();
    const p = getContext('process').Process({ target: tasks.noop });
    expect(p).toBeInstanceOf(Process);
    expect(p.context).toBe('process');
    p.close();
    const pool = thread.Pool({ processes: 1 });
    expect(pool.context).toBe('thread');
    await pool.terminate();
  });

  it("type a schema's input as what senders give and its output as what receivers get", () => {
    const toNumber = z.string().transform(Number);
    const ctx = getContext('process');
    const q = ctx.Queue({ schema: toNumber });
    expectTypeOf(q).toEqualTypeOf<Queue<number, string>>();
    expectTypeOf(new ctx.JoinableQueue({ schema: toNumber })).toEqualTypeOf<
      ipc.JoinableQueue<number, string>
    >();
    const sq = getContext('thread').SimpleQueue({ schema: z.object({ n: z.number().default(0) }) });
    expectTypeOf(sq.put).parameter(0).toEqualTypeOf<{ n?: number | undefined }>();
    expectTypeOf(sq.get).returns.resolves.toEqualTypeOf<{ n: number }>();
    const [r, w] = ctx.Pipe({ duplex: false, schema: toNumber });
    expectTypeOf(w.send).parameter(0).toEqualTypeOf<string>();
    expectTypeOf(r.recv).returns.resolves.toEqualTypeOf<number>();
    expectTypeOf(ctx.Queue<number>()).toEqualTypeOf<Queue<number>>();
    for (const c of [q, sq, r, w]) c.close();
  });

  it('call a factory that is no constructor (the async Client) instead of constructing it', {
    timeout: 20_000,
  }, async () => {
    const listener = new Listener();
    try {
      for (const name of matrix(import.meta.url)) {
        const client = await getContext(name).Client(listener.address);
        expect(client).toBeInstanceOf(Connection);
        client.close();
      }
    } finally {
      listener.close();
    }
  });

  it('are one object across contexts where the contexts share them', () => {
    expect(getContext('thread').Queue).toBe(getContext('process').Queue);
    expect(getContext('thread').Queue.name).toBe('Queue');
  });

  it('are typed for both forms', () => {
    const ctx = getContext('thread');
    expectTypeOf(ctx.Lock()).toEqualTypeOf<Lock>();
    expectTypeOf(new ctx.Lock()).toEqualTypeOf<Lock>();
    expectTypeOf(new ctx.Queue<number>()).toEqualTypeOf<Queue<number>>();
    expectTypeOf(ctx.Pipe()).toEqualTypeOf(new ctx.Pipe());
    const pctx = getContext('process');
    expectTypeOf(pctx.Lock()).toEqualTypeOf(new pctx.Lock());
    expectTypeOf(pctx.Array('i', 2)).toEqualTypeOf(new pctx.Array('i', 2));
  });

  it("carry none of the packages' internal helpers, in their types either", () => {
    // The process context's primitives were spread in as `typeof shared`, which typed every helper
    // context.ts deletes (`CODEC_TAG`, `encodeError`, ...) as an optional member of both contexts.
    for (const name of ['thread', 'process'] as const) {
      const ctx: object = getContext(name);
      expect(HELPERS.filter((helper) => helper in ctx)).toEqual([]);
    }
    expectTypeOf<Extract<keyof ThreadContext, HelperName>>().toEqualTypeOf<never>();
    expectTypeOf<Extract<keyof ProcessContext, HelperName>>().toEqualTypeOf<never>();
  });
});
