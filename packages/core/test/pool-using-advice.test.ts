// Python's `with Pool() as pool:` is `await using pool = new Pool()`. Written `using` (the `await`
// forgotten, which TypeScript refuses but plain JavaScript on Node 24 and a transpiled `using` do
// not), the declaration met Node's "TypeError: Symbol(Symbol.dispose) is not a function", which
// says nothing of what to write. It now throws ValidationError naming `await using`, at the
// declaration, before the block runs; `await using` still terminates the pool.
import { Pool, ValidationError } from '@multiproc/core';
import { afterEach, describe, expect, it } from 'vitest';

const pools: Pool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.terminate()));
});

describe('using (not await using) on a Pool', { timeout: 15_000 }, () => {
  it('throws ValidationError naming `await using` at the declaration', () => {
    const pool = new Pool({ processes: 1 });
    pools.push(pool);
    let ran = false;
    let thrown: unknown;
    try {
      // the mistake under test, which the types refuse (TS2850)
      using p = pool as any;
      ran = p !== undefined;
    } catch (err) {
      thrown = err;
    }
    expect(ran).toBe(false);
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).code).toBe('MP_VALIDATION');
    expect((thrown as Error).message).toMatch(/await using pool = new Pool/);
  });

  it('leaves await using as it was: the pool is terminated when the block ends', async () => {
    const pool = new Pool({ processes: 1 });
    pools.push(pool);
    {
      await using p = pool;
      expect(p).toBe(pool);
    }
    const { workers, starting } = pool.stats();
    expect([workers, starting]).toEqual([0, 0]);
  });
});
