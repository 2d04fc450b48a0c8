/**
 * A payload more than one job can carry (Redis's `proto-max-bulk-len`, 512 MB) fails the call with a
 * `SerializationError` that says so and what to do, not as a value that cannot be cloned. In the full
 * tier only (vitest.config.ts): packing 513 MB beside every other suite on CI's 2 cores took over a
 * minute (67 s at load 40 in the full tier); alone it takes a few seconds.
 */
import { SerializationError } from '@multiproc/core';
import { describe, expect, test } from 'vitest';
import { tasks } from './fixtures/tasks.mjs';
import { redisMissing } from './redis.js';
import { useRedisPools } from './redis-pools.js';

describe.skipIf(redisMissing)('a payload too big for one job', () => {
  const on = useRedisPools({ db: 1 });

  test('said so, with what to do', { timeout: 240_000 }, async () => {
    const pool = on.pool({ processes: 1 });
    // Cloneable, but more than Redis takes in one value (Redis closed the connection at 600 MB; up
    // to 512 MB, v8's base64 text refused it with "Cannot create a string longer than ...").
    const error = await pool.apply(tasks.echo, [new Uint8Array(513 * 1024 * 1024)]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SerializationError);
    expect((error as SerializationError).path).toBe('args');
    expect((error as Error).message).toMatch(
      /^Cannot send args: it is 513 MB packed, more than one job can carry through Redis \(512 MB.*Split the data across several calls/,
    );
  });
});
