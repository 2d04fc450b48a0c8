/**
 * Whether this is Node's main thread, known without loading `node:worker_threads` (issue #18: the
 * module costs a program's first Lock or Semaphore ~3 ms of CPU, and this package only needed its
 * `threadId`, 0 in the main thread). Node loads that module in every worker thread before the
 * worker's own code runs (Node 20, 22 and 24), so a thread whose `process.moduleLoadList` lacks
 * it is the main thread. `undefined`: it is loaded (a worker, or a main thread that loaded it, where
 * reading it costs nothing), or this is not Node (Bun, Deno, a browser): ask the module.
 */
export function mainThreadWithoutWorkerThreads(): true | undefined {
  const g = globalThis as { process?: { moduleLoadList?: unknown }; Bun?: unknown; Deno?: unknown };
  if (g.Bun !== undefined || g.Deno !== undefined) return undefined;
  const list = g.process?.moduleLoadList;
  return Array.isArray(list) && !list.includes('NativeModule worker_threads') ? true : undefined;
}
