/**
 * Node's on-disk compile cache for what a worker imports after its entry (the task module and the
 * multiproc packages it imports): on Node 22.1 and later a worker then reads compiled code instead
 * of compiling the same files again in every worker (issue #18). Node 20 has no such cache.
 * `NODE_DISABLE_COMPILE_CACHE=1` turns it off, as for Node itself; `NODE_COMPILE_CACHE` picks the
 * folder (default: `node-compile-cache` in the temp folder).
 */
interface ModuleWithCache {
  enableCompileCache?: () => unknown;
}

/**
 * Whether this Node can have the cache (22.1 and later). Elsewhere `node:module` is not even
 * loaded: in a fresh worker on Node 20 that load alone costs ~0.3 ms of CPU for nothing (issue #18).
 */
function mayHaveCache(): boolean {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 1);
}

/** Turns the compile cache on where Node has one; a failure (say, a read-only temp folder) is ignored. */
export function enableCompileCache(): void {
  if (!mayHaveCache()) return;
  try {
    (process.getBuiltinModule('node:module') as ModuleWithCache).enableCompileCache?.();
  } catch {
    // Without the cache the worker compiles as before.
  }
}
