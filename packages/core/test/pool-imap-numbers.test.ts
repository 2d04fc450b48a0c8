// imap over an input of unknown length reads runs of numbers into reused Float64Array buffers, and
// a thread writes a chunk's results over its copy of the items (issue 18, imap memory). These
// check that no value is lost, changed or read from a buffer after it was reused.
import { Pool } from '@multiproc/core';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { Float64Buffers } from '../src/pool/buffers.js';
import { tasks } from './fixtures/pool-tasks.ts';

const pools: Pool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.terminate()));
});

function* numbers(n: number): Generator<number> {
  for (let i = 0; i < n; i++) yield i;
}

async function collect<T>(results: AsyncIterable<T>, pauseEvery = 0): Promise<T[]> {
  const out: T[] = [];
  for await (const value of results) {
    out.push(value);
    // A slow consumer: chunks keep coming back while it still reads an older one.
    if (pauseEvery > 0 && out.length % pauseEvery === 0) await new Promise((r) => setImmediate(r));
  }
  return out;
}

describe.each(matrix(import.meta.url))('imap over a generator of numbers (%s)', (context) => {
  it('gives every result in order, with a consumer slower than the workers', async () => {
    const pool = new Pool({ processes: 2, context });
    pools.push(pool);
    const n = 30_000;
    const got = await collect(pool.imap(tasks.square, numbers(n)), 997);
    expect(got).toHaveLength(n);
    const wrong = got.findIndex((v, i) => v !== i * i);
    expect(wrong).toBe(-1);
  }, 60_000);

  it('keeps -0, NaN and infinities, and items that are not numbers, in their places', async () => {
    const pool = new Pool({ processes: 2, context });
    pools.push(pool);
    const odd = [-0, Number.NaN, Number.POSITIVE_INFINITY, -1.5, 'seven', 8n, null, 2 ** 60, { a: 1 }, -0];
    function* mixed() {
      for (let round = 0; round < 300; round++) yield* odd;
    }
    const got = await collect(pool.imap(tasks.echo, mixed()));
    // toEqual compares numbers with Object.is: -0 is not 0 here, and NaN is NaN.
    expect(got).toEqual(Array.from({ length: odd.length * 300 }, (_, i) => odd[i % odd.length]));
  }, 60_000);

  it('keeps results that turn to promises and strings within a chunk of numbers in their places', async () => {
    const pool = new Pool({ processes: 2, context });
    pools.push(pool);
    const n = 12_000;
    const expected = (x: number) => (x % 1000 === 999 ? String(x) : -x);
    // 4096 items a chunk: a thread writes such a chunk's results over its own items.
    const got = await collect(pool.imap(tasks.mixedResult, numbers(n), { chunksize: 4096 }));
    expect(got).toEqual(Array.from({ length: n }, (_, i) => expected(i)));
    expect(
      await pool.map(
        tasks.mixedResult,
        Array.from({ length: 5000 }, (_, i) => i),
      ),
    ).toEqual(Array.from({ length: 5000 }, (_, i) => expected(i)));
  }, 60_000);
});

// Thread context only, in every tier: outside the matrix, which runs one context per file in CI.
describe('imap over a generator of numbers (thread context only)', () => {
  it('ends at a failing item with the results before it, from a chunk of numbers', async () => {
    const pool = new Pool({ processes: 2, context: 'thread' });
    pools.push(pool);
    const got: number[] = [];
    const error = await (async () => {
      for await (const v of pool.imap(tasks.failOn, numbers(1000), { chunksize: 8 })) got.push(v as number);
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RangeError);
    expect(got).toEqual(Array.from({ length: 13 }, (_, i) => i));
  }, 60_000);

  it('imapUnordered gives each result once', async () => {
    const pool = new Pool({ processes: 2, context: 'thread' });
    pools.push(pool);
    const got = await collect(pool.imapUnordered(tasks.square, numbers(40_000)), 1009);
    expect(got).toHaveLength(40_000);
    const seen = new Set(got);
    for (let i = 0; i < 40_000; i++) if (!seen.has(i * i)) expect.fail(`missing ${i * i}`);
  }, 60_000);
});

it('threads that retire after each chunk give the results of their own items', async () => {
  // Each chunk goes to a fresh thread, while earlier chunks' buffers are reused for later ones.
  const pool = new Pool({ processes: 2, context: 'thread', maxTasksPerChild: 1 });
  pools.push(pool);
  const got = await collect(pool.imap(tasks.square, numbers(120), { chunksize: 20 }));
  expect(got).toEqual(Array.from({ length: 120 }, (_, i) => i * i));
}, 60_000);

describe('Float64Buffers', () => {
  it('reuses a buffer given back, big enough for the view asked', () => {
    const buffers = new Float64Buffers(2);
    const a = buffers.take(10);
    expect(a).toHaveLength(10);
    buffers.give(a);
    const b = buffers.take(500);
    expect(b.buffer).toBe(a.buffer);
    expect(b).toHaveLength(500);
    buffers.give(b);
    buffers.give(b);
    expect(buffers.take(1).buffer).toBe(a.buffer);
    expect(buffers.take(1).buffer).not.toBe(a.buffer); // given twice, kept once
  });

  it('drops buffers too small, detached ones, and those beyond its count', () => {
    const buffers = new Float64Buffers(1);
    const small = buffers.take(1);
    buffers.give(small);
    expect(buffers.take(5000).buffer).not.toBe(small.buffer);
    const moved = buffers.take(4);
    structuredClone(moved.buffer, { transfer: [moved.buffer as ArrayBuffer] });
    buffers.give(moved);
    const [x, y] = [buffers.take(1), buffers.take(1)];
    buffers.give(x);
    buffers.give(y);
    expect(buffers.take(1).buffer).toBe(x.buffer);
    expect(buffers.take(1).buffer).not.toBe(y.buffer);
  });
});
