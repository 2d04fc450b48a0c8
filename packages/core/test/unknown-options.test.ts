// Options objects of core's factories and functions refuse unknown keys with a ValidationError that
// names the key and, for a case or underscore slip, the right spelling (a misspelt `lock: false`
// used to leave the lock on; a misspelt Barrier timeout used to leave it without one).
import {
  enableWarmStart,
  getContext,
  getStartMethod,
  setStartMethod,
  ValidationError,
} from '@multiproc/core';
import { describe, expect, it } from 'vitest';
import { thrown } from '../../../test-support/thrown.ts';
import { tasks } from './fixtures/pool-tasks.ts';
import { poolMaker } from './helpers.ts';

const makePool = poolMaker();
const ctx = getContext('process');

describe("getContext('process') primitives", () => {
  it('Value, Array and Barrier refuse a misspelt option; the right one still works', {
    timeout: 15_000,
  }, async () => {
    const value = await thrown(() => ctx.Value('i', 1, { lok: false } as never));
    expect(value).toBeInstanceOf(ValidationError);
    expect(value.message).toContain("'lok'");
    expect(await thrown(() => ctx.Array('i', 2, { lock: false, extra: 1 } as never))).toBeInstanceOf(
      ValidationError,
    );
    const barrier = await thrown(() => ctx.Barrier(2, { Timeout: 5 } as never));
    expect(barrier).toBeInstanceOf(ValidationError);
    expect(barrier.message).toContain('spelt timeout');
    const raw = ctx.Value('i', 7, { lock: false });
    expect(await raw.get()).toBe(7);
  });
});

describe('functions with options', () => {
  it('setStartMethod() and enableWarmStart() refuse unknown options and change nothing', () => {
    const before = getStartMethod(true);
    const start = () => setStartMethod('thread', { Force: true } as never);
    expect(start).toThrow(ValidationError);
    expect(start).toThrow(/spelt force/);
    expect(getStartMethod(true)).toBe(before);
    expect(() => enableWarmStart({ contexts: ['thread'] } as never)).toThrow(ValidationError);
  });

  it('a pool call names the right spelling of a case slip', { timeout: 15_000 }, async () => {
    const pool = makePool({ processes: 1 });
    const err = await thrown(() => pool.map(tasks.square, [1], { chunkSize: 2 } as never));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toContain('spelt chunksize');
    expect(await pool.map(tasks.square, [1, 2], { chunksize: 2 })).toEqual([1, 4]);
  });
});
