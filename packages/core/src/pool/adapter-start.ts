/**
 * Starts the tinypool adapter behind a Pool. The checks run at once, so `new Pool()` throws
 * `ContextError` (a runtime that cannot run the pool) or `WorkerEntryNotFoundError`; the adapter,
 * its slots and tinypool itself are then loaded at this first async step (issue #18): a program
 * that only imports the package, and every worker, never reads or compiles them.
 */
import { assertRuntimeSupports } from '../internal/runtime.js';
import { workerEntryUrl } from '../internal/worker-entries.js';
import type { AdapterConfig, TinypoolAdapter } from './tinypool.js';

/**
 * Checks that this runtime can run the pool and finds the pool worker entry (both throw at once),
 * then loads the adapter and tinypool and starts it.
 * @throws {ContextError} when this runtime cannot run a pool in `config.context`.
 * @throws {WorkerEntryNotFoundError} when the pool worker entry cannot be found.
 */
export function startAdapter(config: AdapterConfig): Promise<TinypoolAdapter> {
  assertRuntimeSupports('Pool', config.context);
  const entry = workerEntryUrl('pool');
  return import('./tinypool.js').then(({ TinypoolAdapter }) => TinypoolAdapter.create(config, entry));
}
