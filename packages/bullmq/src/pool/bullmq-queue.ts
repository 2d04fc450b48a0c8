/** BullMQ's `Queue` class for the pool, loaded when the pool opens rather than at import. */
import type { Queue } from 'bullmq';

/**
 * Loads BullMQ (which takes a while, while the pool connects) and returns its `Queue` class. A
 * bundle may offer CommonJS bullmq as its `default` export only (esbuild's chunk for an `import()`
 * of it, with code splitting): the class is read from there then.
 */
export async function loadQueue(): Promise<typeof Queue> {
  const bullmq = await import('bullmq');
  return ('Queue' in bullmq ? bullmq : (bullmq as unknown as { default: typeof bullmq }).default).Queue;
}
