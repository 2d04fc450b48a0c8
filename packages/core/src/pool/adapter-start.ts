/**
 * Starts the tinypool adapter behind a Pool. The checks run at once, so `new Pool()` throws
 * `ContextError` (a runtime that cannot run the pool) or `WorkerEntryNotFoundError`; the adapter,
 * its slots and tinypool itself are then loaded at this first async step (issue #18): a program
 * that only imports the package, and every worker, never reads or compiles them.
 */
import { assertRuntimeSupports } from '../internal/runtime.js';
import { workerEntryUrl } from '../internal/worker-entries.js';
import type { AdapterConfig, TinypoolAdapter } from './tinypool.js';

export function startAdapter(config: AdapterConfig): Promise<TinypoolAdapter> {
  assertRuntimeSupports('Pool', config.context);
  const entry = workerEntryUrl('pool');
  return import('./tinypool.js').then(({ TinypoolAdapter }) => TinypoolAdapter.create(config, entry));
}
