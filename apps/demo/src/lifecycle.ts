/** Pool lifecycle for the examples: close and join on success, terminate on failure. */
import type { ContextName } from '@multiproc/multiproc';
import { type Api, requireApi } from './api.js';

/** A pool, whichever type this build of multiproc gives it. */
export type PoolInstance = InstanceType<Api['Pool']>;

/**
 * Runs `fn` with a new pool; then `close()` + `join()` it, or `terminate()` it when `fn` threw, so a
 * failed example never leaves workers behind.
 */
export async function withPool<T>(
  options: { processes?: number; context: ContextName },
  fn: (pool: PoolInstance) => Promise<T>,
): Promise<T> {
  const { Pool } = requireApi(['Pool']);
  const pool = new Pool(options);
  let value: T;
  try {
    value = await fn(pool);
  } catch (err) {
    await pool.terminate();
    throw err;
  }
  pool.close();
  await pool.join();
  return value;
}
