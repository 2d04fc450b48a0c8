/**
 * Node's on-disk compile cache for what a worker loads (its entry, the multiproc packages, the task
 * module and what that imports): on Node 22.1 and later a worker then reads compiled code instead
 * of compiling the same files again in every worker (issue #18). Node 20 has no such cache.
 * `NODE_DISABLE_COMPILE_CACHE=1` turns it off, as for Node itself; `NODE_COMPILE_CACHE` picks the
 * folder (default: `node-compile-cache` in the temp folder).
 *
 * The host turns it on in each worker's environment ({@link withCompileCache}), so Node reads the
 * cache from the worker's first module on: a call of `module.enableCompileCache()` in the entry
 * runs only after the entry's own imports (the multiproc packages) have been compiled.
 */
interface ModuleWithCache {
  enableCompileCache?: () => unknown;
}

/**
 * Set beside the `NODE_COMPILE_CACHE` the host added to a worker's environment: the worker takes
 * both out as it starts, so its tasks (and the programs they start) see the environment they were
 * given.
 */
export const ADDED_CACHE_ENV = 'MULTIPROC_COMPILE_CACHE';

/**
 * Whether this Node can have the cache (22.1 and later). Elsewhere `node:module` is not even
 * loaded: in a fresh worker on Node 20 that load alone costs ~0.3 ms of CPU for nothing (issue #18).
 */
function mayHaveCache(): boolean {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 1);
}

/**
 * `env` for a new worker thread or child, with Node's compile cache on from its start (Node 22.1
 * and later), in the folder `module.enableCompileCache()` picks. Unchanged when the program set
 * `NODE_COMPILE_CACHE` or `NODE_DISABLE_COMPILE_CACHE` itself, and on a Node without the cache.
 */
export function withCompileCache<T extends Record<string, string | undefined>>(env: T): T {
  if (!mayHaveCache() || env.NODE_COMPILE_CACHE !== undefined || env.NODE_DISABLE_COMPILE_CACHE !== undefined)
    return env;
  const { join } = process.getBuiltinModule('node:path');
  const { tmpdir } = process.getBuiltinModule('node:os');
  return { ...env, NODE_COMPILE_CACHE: join(tmpdir(), 'node-compile-cache'), [ADDED_CACHE_ENV]: '1' };
}

/**
 * Turns the compile cache on where Node has one, for what the worker imports from now on (a worker
 * whose host did not turn it on: see {@link withCompileCache}, whose variables it takes out of
 * `process.env`); a failure (say, a read-only temp folder) is ignored.
 */
export function enableCompileCache(): void {
  if (process.env[ADDED_CACHE_ENV] !== undefined) {
    delete process.env.NODE_COMPILE_CACHE;
    delete process.env[ADDED_CACHE_ENV];
    return;
  }
  if (!mayHaveCache()) return;
  try {
    (process.getBuiltinModule('node:module') as ModuleWithCache).enableCompileCache?.();
  } catch {
    // Without the cache the worker compiles as before.
  }
}
