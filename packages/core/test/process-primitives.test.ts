// getContext('process').Lock(), Value(), …: manager-backed primitives that work in child
// processes (and threads), with the Python docs' Lock and Value/Array examples.
import { ContextError, getContext, Process } from '@multiproc/core';
import { Queue } from '@multiproc/ipc';
import { Lock, SharedArray } from '@multiproc/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';

const { tasks } = await import(new URL('./fixtures/primitive-tasks.mjs', import.meta.url).href);
const ctx = getContext('process');

const started: Process[] = [];
afterEach(() => {
  for (const p of started.splice(0)) if (p.isAlive()) p.kill();
});

function start(target: unknown, args: unknown[], context: 'thread' | 'process') {
  const p = new Process({ target: target as never, args: args as never, context });
  started.push(p);
  p.start();
  return p;
}

describe.each(matrix(import.meta.url))('process-context primitives in a Process (%s)', (context) => {
  it('the Python docs Lock example prints every line once; the lock excludes', {
    timeout: 30_000,
  }, async () => {
    const lock = ctx.Lock();
    const count = ctx.Value('i', 0);
    const out = new Queue<string>();
    const ps = [0, 1, 2, 3].map((i) => start(tasks.helloUnderLock, [lock, i, out, count], context));
    await Promise.all(ps.map((p) => p.join()));
    const lines: string[] = [];
    for (let i = 0; i < 4; i++) lines.push(await out.get());
    expect(lines.sort()).toEqual(['hello world 0', 'hello world 1', 'hello world 2', 'hello world 3']);
    expect(await count.get()).toBe(4);
  });

  it('the Python docs Value/Array example prints what Python prints', { timeout: 20_000 }, async () => {
    const num = ctx.Value('d', 0.0);
    const arr = ctx.Array('i', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const p = start(tasks.negate, [num, arr], context);
    await p.join();
    // Python: 3.1415927 / [0, -1, -2, -3, -4, -5, -6, -7, -8, -9]
    // biome-ignore lint/suspicious/noApproximativeNumericConstant: the Python docs' value
    expect(await num.get()).toBe(3.1415927);
    expect(`[${(await arr.copy()).join(', ')}]`).toBe('[0, -1, -2, -3, -4, -5, -6, -7, -8, -9]');
  });

  it('Event, Semaphore and Barrier work across the boundary', { timeout: 20_000 }, async () => {
    const ev = new ctx.Event(); // with or without `new`, like Python's ctx.Event()
    const bar = ctx.Barrier(2);
    const sem = ctx.BoundedSemaphore(1);
    const p = start(tasks.eventThenBarrier, [ev, bar, sem], context);
    await ev.set();
    const mine = await bar.wait();
    await p.join();
    expect(p.exitCode).toBe(0);
    expect([0, 1]).toContain(mine);
  });
});

describe('shared memory sent to a process', () => {
  it("names getContext('process').Lock() as the way out", () => {
    const p = new Process({ target: tasks.negate, args: [new Lock()], context: 'process' });
    let err: unknown;
    try {
      p.start();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ContextError);
    expect((err as Error).message).toContain("getContext('process').Lock()");
  });
});

describe("getContext('process') names", () => {
  it('SharedArray (= Array), RawArray and RawValue are the manager-backed ones; Array is on both contexts', {
    timeout: 20_000,
  }, async () => {
    expect(ctx.SharedArray).toBe(ctx.Array);
    const arr = ctx.SharedArray('i', [1, 2]);
    const p = start(tasks.negate, [ctx.RawValue('d', 0), arr], 'process');
    await p.join();
    expect(p.exitCode).toBe(0);
    expect(await arr.copy()).toEqual([-1, -2]);
    // The thread context's Array is SharedArray, made callable without `new` as well.
    expect(getContext('thread').Array.prototype).toBe(SharedArray.prototype);
    expect(getContext('thread').Array('i', 1)).toBeInstanceOf(SharedArray);
  });

  it('.value of a process Value is a ContextError naming get() and set()', () => {
    const v = ctx.Value('i', 5);
    expect(() => v.value).toThrow(ContextError);
    expect(() => v.value).toThrow(/await v\.get\(\)/);
    expect(() => {
      (v as { value: unknown }).value = 3;
    }).toThrow(/await v\.set\(x\)/);
  });
});
