/**
 * The worker's guess of a result's encoded size, made before encoding it so that the job's lock is
 * kept for the encoding: binary data and strings in full, long collections scaled from a sample,
 * and never a walk of the whole of a huge value.
 */
import { serialize } from 'node:v8';
import { describe, expect, test } from 'vitest';
import { roughSize } from '../src/worker/rough-size.js';

/** Within a factor of 2 of what v8 writes: enough to size a lock. */
function near(value: unknown) {
  const real = serialize(value).length;
  const guess = roughSize(value);
  expect(guess).toBeGreaterThan(real / 2);
  expect(guess).toBeLessThan(real * 2);
}

describe('roughSize', () => {
  test('binary data and strings count in full', () => {
    near(new Uint8Array(1 << 20));
    near(Buffer.alloc(3 << 20));
    near(new Float64Array(1 << 18).buffer);
    near('x'.repeat(5_000_000));
    near({ ok: true, value: new Uint8Array(1 << 22) });
  });

  // These two build and serialize collections of 50,000 to 1,000,000 items, no timer: 1.75 s of CPU
  // for the file (MULTIPROC_CPU_LOG), 0.8-1 s each at a load of 16, 8-9.4 s beside three bullmq
  // files and every other suite (load 10-37), against the default 15 s: they get 60 s.
  test('long collections are scaled from a sample of their items', { timeout: 60_000 }, () => {
    near(Array.from({ length: 200_000 }, (_, i) => `item number ${i} of a long list`));
    near(Array.from({ length: 50_000 }, () => new Uint8Array(100)));
    near(new Map(Array.from({ length: 100_000 }, (_, i) => [`key${i}`, 'v'.repeat(40)])));
    near(new Set(Array.from({ length: 100_000 }, (_, i) => 'v'.repeat(30) + i)));
  });

  test('a huge value is guessed from a sample, not walked whole', { timeout: 60_000 }, () => {
    const items = Array.from({ length: 1_000_000 }, (_, i) => ({ i, name: `n${i}`, tags: ['a', 'b'] }));
    let read = 0;
    const huge = new Proxy(items, {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) read++;
        return Reflect.get(target, key, receiver);
      },
    });
    expect(roughSize(huge)).toBeGreaterThan(10_000_000);
    expect(read).toBeLessThanOrEqual(64);
  });

  test('cycles and small values', () => {
    const a: Record<string, unknown> = { x: 1 };
    a.self = a;
    expect(roughSize(a)).toBeLessThan(100);
    expect(roughSize(undefined)).toBeGreaterThan(0);
    expect(roughSize(42)).toBeGreaterThan(0);
  });
});
