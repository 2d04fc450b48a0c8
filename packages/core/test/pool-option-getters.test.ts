// A Promise-returning method reports every error by rejecting: options whose getter or Proxy trap
// throws made apply(), map() and starmap() throw synchronously (bbE 6).
import { Pool } from '@multiproc/core';
import { describe, expect, it } from 'vitest';
import { tasks } from './fixtures/pool-tasks.ts';
import { poolMaker } from './helpers.ts';

const makePool = poolMaker();
const boom = new Error('options boom');
const shapes = {
  getter: () => ({
    get timeout(): number {
      throw boom;
    },
  }),
  proxy: () =>
    new Proxy(
      {},
      {
        ownKeys() {
          throw boom;
        },
        get() {
          throw boom;
        },
        has() {
          throw boom;
        },
        getOwnPropertyDescriptor() {
          throw boom;
        },
      },
    ),
};

describe.each(Object.keys(shapes) as (keyof typeof shapes)[])('options with a throwing %s', (shape) => {
  it('apply, map and starmap reject with its error, and the pool works on', { timeout: 15_000 }, async () => {
    const pool: Pool = makePool({ processes: 1 });
    const calls: (() => Promise<unknown>)[] = [
      () => pool.apply(tasks.square, [2], shapes[shape]() as never),
      () => pool.map(tasks.square, [2], shapes[shape]() as never),
      () => pool.starmap(tasks.square, [[2]], shapes[shape]() as never),
    ];
    for (const call of calls) {
      let result: Promise<unknown> | undefined;
      expect(() => {
        result = call();
      }).not.toThrow();
      await expect(result).rejects.toBe(boom);
    }
    expect(Pool.prototype.apply.name).toBe('apply');
    expect(await pool.map(tasks.square, [3])).toEqual([9]);
  });
});
