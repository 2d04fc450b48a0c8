/**
 * Starts the tinypool adapter behind a Pool. The checks run at once, so `new Pool()` throws
 * `ContextError` (a runtime that cannot run the pool) or `WorkerEntryNotFoundError`; the adapter,
 * its slots and tinypool itself are then loaded at this first async step (issue #18): a program
 * that only imports the package, and every worker, never reads or compiles them.
 */
import { ContextError } from '@multiproc/shared';
import { assertRuntimeSupports } from '../internal/runtime.js';
import { workerEntryUrl } from '../internal/worker-entries.js';
import type { AdapterConfig, TinypoolAdapter } from './tinypool.js';

/**
 * Checks that this runtime can run the pool and finds the pool worker entry (both throw at once),
 * then loads the adapter and tinypool and starts it.
 * @throws {ContextError} when this runtime cannot run a pool in `config.context`, or when this code
 *   runs as CommonJS bundle output (no `import.meta.url`, which tinypool needs to find its entries).
 * @throws {WorkerEntryNotFoundError} when the pool worker entry cannot be found.
 */
export function startAdapter(config: AdapterConfig): Promise<TinypoolAdapter> {
  assertRuntimeSupports('Pool', config.context);
  assertModuleOutput();
  const entry = workerEntryUrl('pool');
  // One import for every pool of the program: a settled promise, not the loader's path again.
  adapterModule ??= import('./tinypool.js');
  return adapterModule.then(({ TinypoolAdapter }) => TinypoolAdapter.create(config, entry));
}

let adapterModule: Promise<typeof import('./tinypool.js')> | undefined;

// A bundler that writes CommonJS replaces `import.meta` with an empty object in this code and in
// tinypool's, which finds its thread and process entries from `import.meta.url`: its first worker
// would die with a raw "Invalid URL". `Process` does not use tinypool and runs in such a bundle.
function assertModuleOutput(): void {
  if (typeof import.meta.url === 'string') return;
  throw new ContextError(
    'Pool cannot start in CommonJS bundle output: tinypool, which runs the pool workers, finds its ' +
      'entry files from import.meta.url, and CommonJS output has none. Bundle as ES modules (esbuild ' +
      "format: 'esm', webpack output.module), as the bundling guide shows, or keep multiproc out of " +
      'the bundle (esbuild --packages=external, or external: [/^@multiproc\\//]) and install it beside ' +
      'the app, where require() loads it as an ES module: ' +
      'https://github.com/multiproc/multiproc/blob/main/apps/docs/guide/bundling.md',
  );
}
