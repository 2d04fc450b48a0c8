/**
 * Worker side: ipc's flush hook (see its `internal/runtime/exit.ts`), which a pool worker calls
 * between calls and before each batch's answer. ipc installs it on `globalThis` once a connection
 * or queue has a copy in this realm; until then there is nothing to flush.
 */
const FLUSH_KEY = Symbol.for('multiproc.ipc.flush');

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
