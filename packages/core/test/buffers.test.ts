// A Buffer arrives as a Buffer with only its own bytes, and comes back as one; move() transfers a
// big buffer instead of copying it (CONTRACT, Pool; issue: Buffers lose their class).
import { move, Pool, Process, SerializationError, ValidationError } from '@multiproc/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks } from './fixtures/buffer-tasks.mjs';

describe.each(matrix(import.meta.url))('Buffers in the %s context', (context) => {
  let pool: Pool;
  beforeAll(() => {
    pool = new Pool({ processes: 2, context });
  });
  afterAll(async () => {
    await pool.terminate();
  });

  it('a Buffer argument arrives as a Buffer, with only its own bytes', async () => {
    const hello = Buffer.from('hello world');
    expect(hello.buffer.byteLength).toBeGreaterThan(11); // a window on Node's pool slab
    expect(await pool.apply(tasks.utf8Length, [hello])).toBe(11);
    expect(await pool.apply(tasks.inspect, [hello])).toEqual({ isBuffer: true, byteLength: 11, backing: 11 });
    expect(await pool.map(tasks.utf8Length, [Buffer.from('a'), Buffer.from('bcd')])).toEqual([1, 3]);
    expect(hello.toString()).toBe('hello world'); // the sender's Buffer is untouched
  });

  it('a Buffer comes back as a Buffer, nested too', async () => {
    const back = await pool.apply(tasks.smallBuffer, []);
    expect(Buffer.isBuffer(back)).toBe(true);
    expect([back.toString(), back.buffer.byteLength]).toEqual(['slab', 4]);
    const nested = await pool.apply(tasks.echo, [{ list: [Buffer.from('x'), new Uint8Array([1, 2])] }]);
    expect(Buffer.isBuffer(nested.list[0])).toBe(true);
    expect(Buffer.isBuffer(nested.list[1])).toBe(false);
    expect([...nested.list[1]]).toEqual([1, 2]);
  });

  it('a Process target gets a Buffer with only its own bytes', async () => {
    const p = new Process({ target: tasks.exitUnlessBuffer, args: [Buffer.from('hello world')], context });
    p.start();
    await p.join(10_000);
    expect(p.exitCode).toBe(0);
  });

  it(
    context === 'thread'
      ? 'move() transfers a typed array into a task and back, without a copy'
      : 'move() copies to a child process (nothing can be moved there), and the sender keeps its copy',
    async () => {
      const n = 1 << 20;
      const big = Float64Array.from({ length: n }, (_, i) => i);
      const back = await pool.apply(tasks.doubleAndMove, [move(big)]);
      expect(back).toBeInstanceOf(Float64Array);
      expect([back.length, back[1], back[n - 1]]).toEqual([n, 2, 2 * (n - 1)]);
      if (context === 'thread') {
        expect(big.byteLength).toBe(0); // moved in: detached here
        expect(await pool.apply(tasks.keptLength, [])).toBe(0); // moved out: detached there
      } else {
        expect(big.length).toBe(n);
        expect(big[1]).toBe(1);
      }
    },
  );

  it('sending a buffer an earlier call moved away is refused, saying it was moved (detached), naming it', async () => {
    const a = new Float64Array(4);
    await pool.apply(tasks.echo, [move(a)]);
    if (context === 'process') {
      expect(await pool.apply(tasks.echo, [move(a)])).toEqual(new Float64Array(4)); // copied, never detached
      return;
    }
    for (const sent of [pool.apply(tasks.echo, [1, move(a)]), pool.map(tasks.echo, [a])]) {
      const err = await sent.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(SerializationError);
      expect((err as SerializationError).message).toMatch(/detached/);
      expect((err as SerializationError).message).not.toMatch(/stopped/);
    }
    await expect(pool.apply(tasks.echo, [1, move(a)])).rejects.toMatchObject({ path: 'args[1]' });
    await expect(pool.map(tasks.echo, [0, { a }])).rejects.toMatchObject({ path: 'items[1].a' });
    expect(await pool.apply(tasks.echo, [2])).toBe(2);
  });
});

describe('move()', () => {
  it('rejects what cannot be moved with ValidationError', () => {
    expect(() => move(42 as never)).toThrow(ValidationError);
    expect(() => move([1, 2] as never)).toThrow(ValidationError);
    expect(() => move(new Int32Array(new SharedArrayBuffer(8)))).toThrow(ValidationError);
  });

  it('returns the value itself, typed as given', () => {
    const a = new Uint8Array(4);
    expect(move(a)).toBe(a);
  });
});
