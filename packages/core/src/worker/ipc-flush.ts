/**
 * Worker side: ipc's flush hook (see its `internal/runtime/exit.ts`), which a pool worker calls
 * between calls and before each batch's answer. ipc installs it on `globalThis` once a connection
 * or queue has a copy in this realm; until then there is nothing to flush. And the collection of
 * the copies a pool worker's tasks dropped without `close()` ({@link collectDroppedCopies}).
 */
const FLUSH_KEY = Symbol.for('multiproc.ipc.flush');
/** How many connections and queues ipc made in this realm (its `internal/finalize.ts`). */
const REGISTERED_KEY = Symbol.for('multiproc.ipc.collectable');

type FlushHook = (() => Promise<void>) & { idle?: () => boolean; endsNormally?: () => void };

const hook = (): FlushHook | undefined =>
  (globalThis as Record<symbol, unknown>)[FLUSH_KEY] as FlushHook | undefined;

/** Gives back what this realm's copies fetched ahead, and sends what they put. */
export async function flushIpc(): Promise<void> {
  const flush = hook();
  if (flush) await flush().catch(() => {});
}

/** Whether flushing would do nothing: no copy of a connection or queue lives in this realm. */
export function ipcIdle(): boolean {
  const flush = hook();
  return flush === undefined || flush.idle?.() === true;
}

/** Tells ipc that this worker ends normally (it retires after its tasks): see `pool-entry.ts`. */
export function ipcEndsNormally(): void {
  hook()?.endsNormally?.();
}

let collectedUpTo = 0;
let collecting: ReturnType<typeof setTimeout> | null = null;
let nextCollect = 0;
let gc: (() => void) | undefined;

/**
 * After a batch: once connections or queues were made in this realm since the last look, collects
 * garbage soon (an unref'd timer), so that each one a task dropped without `close()` is closed by
 * ipc's finalizer (Python closes it at its last reference). A worker that allocates little never
 * collects by itself: a pool given a new queue per call kept each copy's socket open in the worker
 * and in its home, until the program ran out of file descriptors (~3.5 per call). At most a tenth
 * of the worker's time goes to it: the next waits ten times as long as the last took.
 */
export function collectDroppedCopies(): void {
  const made = (globalThis as Record<symbol, unknown>)[REGISTERED_KEY];
  if (typeof made !== 'number' || made === collectedUpTo || collecting) return;
  const wait = Math.max(0, nextCollect - performance.now());
  collecting = setTimeout(() => {
    collecting = null;
    collectedUpTo = (globalThis as Record<symbol, unknown>)[REGISTERED_KEY] as number;
    const began = performance.now();
    collector()();
    nextCollect = performance.now() + 10 * (performance.now() - began);
  }, wait);
  collecting.unref();
}

/**
 * The engine's full collection, without exposing `gc` to the program: taken from a new context
 * with the flag set for that moment only (it is read when a context is made), unless the program
 * runs with `--expose-gc`. The flag is the process's: another pool thread may clear it between
 * the two steps; that look then collects nothing, and the next tries again.
 */
function collector(): () => void {
  if (gc) return gc;
  const own = (globalThis as { gc?: () => void }).gc;
  if (typeof own === 'function') return (gc = own);
  const v8 = process.getBuiltinModule('node:v8');
  v8.setFlagsFromString('--expose-gc');
  try {
    const found: unknown = process.getBuiltinModule('node:vm').runInNewContext('globalThis.gc');
    if (typeof found === 'function') gc = found as () => void;
  } catch {
    // Not to be had here: nothing collected.
  } finally {
    v8.setFlagsFromString('--no-expose-gc');
  }
  return gc ?? (() => {});
}
