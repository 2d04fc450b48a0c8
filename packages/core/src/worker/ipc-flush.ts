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

/** How many objects ipc registered in this realm whose collection frees something elsewhere. */
const SETTLED_KEY = Symbol.for('multiproc.ipc.collectableSettled');
/**
 * When to look after a batch that registered copies: at once, then again while some are still
 * alive (a child's copies were seen to stay reachable for 100 ms and more after their batch
 * answered: the look at once missed them, and nothing looked again while the worker idled).
 */
const LOOK_AFTER_MS = [0, 250, 1_000, 5_000];

let seenUpTo = 0;
let looksLeft = 0;
let collecting: ReturnType<typeof setTimeout> | null = null;
let nextCollect = 0;
let gc: (() => void) | undefined;

const counted = (key: symbol): number => {
  const n = (globalThis as Record<symbol, unknown>)[key];
  return typeof n === 'number' ? n : 0;
};

/**
 * After a batch: once connections, queues or manager proxies were made in this realm since the
 * last batch, collects garbage soon (an unref'd timer), and a few times more while some of them
 * live, so that each one a task dropped without `close()` is closed by ipc's finalizer (Python
 * closes it at its last reference) and each proxy's object is released in its manager. A worker
 * that allocates little never collects by itself: a pool given a new queue per call kept each
 * copy's socket open in the worker and in its home, until the program ran out of file descriptors
 * (~3.5 per call); a proxy per call kept each object in the manager. At most a tenth of the
 * worker's time goes to it: the next waits ten times as long as the last took. A copy a task keeps
 * (in a global) ends the series after its last look.
 */
export function collectDroppedCopies(): void {
  const made = counted(REGISTERED_KEY);
  if (made === seenUpTo) return;
  seenUpTo = made;
  looksLeft = LOOK_AFTER_MS.length; // from the first look again
  if (collecting) clearTimeout(collecting);
  collecting = null;
  lookLater();
}

function lookLater(): void {
  const delayMs = LOOK_AFTER_MS[LOOK_AFTER_MS.length - looksLeft]!;
  const wait = Math.max(delayMs, nextCollect - performance.now());
  collecting = setTimeout(() => {
    collecting = null;
    looksLeft--;
    if (counted(SETTLED_KEY) >= counted(REGISTERED_KEY)) return; // every one collected or closed
    const began = performance.now();
    collector()();
    nextCollect = performance.now() + 10 * (performance.now() - began);
    if (looksLeft > 0) lookLater();
  }, wait);
  collecting.unref();
}

/**
 * The engine's full collection, without exposing `gc` to the program: V8's `%CollectGarbage`,
 * compiled in this context while `--allow-natives-syntax` is set for that moment only (unless the
 * program runs with `--expose-gc`, or with that flag). It took `gc` from a new vm context made
 * with `--expose-gc` before: a thread terminated while that context was bootstrapping (the program
 * ending beside an idle pool, `terminate()` right after a call) had V8 print "Exception thrown
 * during bootstrapping" and a page of its own source to the program's output. The flag is the
 * process's: another pool thread may clear it between the two steps, and the engine may drop the
 * bytecode of a function not run for a while and compile it again later, without the flag. Either
 * way that look collects nothing, and the next tries again.
 */
function collector(): () => void {
  const own = (globalThis as { gc?: () => void }).gc;
  if (typeof own === 'function') return own;
  return () => {
    try {
      gc ??= compileCollection();
      gc();
    } catch {
      gc = undefined; // not to be had now: nothing collected
    }
  };
}

function compileCollection(): () => void {
  const vm = process.getBuiltinModule('node:vm');
  const compile = () => vm.compileFunction('%CollectGarbage(0)') as () => void;
  try {
    return compile(); // the program runs with --allow-natives-syntax
  } catch {
    // Not set: set for this moment only.
  }
  const v8 = process.getBuiltinModule('node:v8');
  v8.setFlagsFromString('--allow-natives-syntax');
  try {
    return compile();
  } finally {
    v8.setFlagsFromString('--no-allow-natives-syntax');
  }
}
