/**
 * Thread identity and owner-death recovery.
 *
 * Every JS realm (main thread, worker thread, browser worker) has a non-zero 31-bit owner id,
 * kept on `globalThis` so that two copies of this package in one thread agree. In Node it is the
 * thread's `threadId + 1` (unique in the process for its whole life, and known to the host as soon
 * as it creates the Worker); elsewhere it is random. Locks write it into their shared word when
 * acquired; semaphores, conditions and barriers record it in their owner tables
 * (internal/owner-table.ts). When a worker ends, the thread that hosted it calls
 * {@link abandonOwner} with the worker's id and how it ended: every live object known to this
 * thread (created or received here) gives back what the ended owner held and nobody else may
 * release, and, if it failed, also the owner-less Lock and Semaphore shares it held.
 */
import { ValidationError } from './errors.js';
import { mainThreadWithoutWorkerThreads } from './internal/node-thread.js';
import { type Abandonable, kAbandon } from './internal/protocol.js';
import { checkOptionKeys, describeValue } from './options.js';

const OWNER_KEY = Symbol.for('multiproc.ownerId');
const REGISTRY_KEY = Symbol.for('multiproc.abandonables');

// Node's worker_threads, found without importing `node:*` (this package also runs in browsers).
function nodeThreadId(): number | undefined {
  // The main thread's threadId is 0: not worth loading the module for (internal/node-thread.ts).
  if (mainThreadWithoutWorkerThreads()) return 0;
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const wt = proc?.getBuiltinModule?.('node:worker_threads') as { threadId?: unknown } | undefined;
  return typeof wt?.threadId === 'number' && wt.threadId >= 0 ? wt.threadId : undefined;
}

/** The largest owner id: ids take 30 bits. */
const MAX_OWNER_ID = 0x3fff_ffff;

function randomOwnerId(): number {
  const buf = new Uint32Array(1);
  do {
    if (globalThis.crypto?.getRandomValues) globalThis.crypto.getRandomValues(buf);
    else buf[0] = Math.floor(Math.random() * 0x1_0000_0000);
    // 30 bits: a lock word keeps bit 30 for its contended flag (see internal/mutex.ts); 0 is "free".
    buf[0]! &= MAX_OWNER_ID;
  } while (buf[0] === 0);
  return buf[0]!;
}

/**
 * This thread's owner id, an integer in `1..2**30-1` fixed for the life of the thread: in Node,
 * `threadId + 1` (see {@link ownerIdOfThread}); in a browser worker, a random one. Beyond Python
 * (whose locks record a pid/thread id).
 * @example
 * import { getOwnerId } from '@multiproc/shared';
 * console.log(getOwnerId()); // 1 in Node's main thread
 */
export function getOwnerId(): number {
  const g = globalThis as Record<symbol, number | undefined>;
  if (g[OWNER_KEY] === undefined) {
    const threadId = nodeThreadId();
    g[OWNER_KEY] = threadId !== undefined && threadId < MAX_OWNER_ID ? threadId + 1 : randomOwnerId();
  }
  return g[OWNER_KEY];
}

/**
 * The owner id of the Node worker thread with this `threadId` (`worker.threadId`), for
 * {@link abandonOwner}. Read `worker.threadId` while the worker runs: it is -1 after it exits.
 * @param threadId a `Worker`'s `threadId`, 0 or more.
 * @returns `threadId + 1`.
 * @throws {ValidationError} when `threadId` is not a non-negative integer.
 * @example
 * import { Worker } from 'node:worker_threads';
 * import { abandonOwner, ownerIdOfThread } from '@multiproc/shared';
 * const worker = new Worker('process.exit(1)', { eval: true });
 * const id = ownerIdOfThread(worker.threadId);
 * worker.once('exit', () => abandonOwner(id));
 */
export function ownerIdOfThread(threadId: number): number {
  if (!Number.isInteger(threadId) || threadId < 0 || threadId >= MAX_OWNER_ID) {
    throw new ValidationError(`threadId must be a non-negative integer, got ${describeValue(threadId)}.`);
  }
  return threadId + 1;
}

interface Registry {
  refs: Set<WeakRef<Abandonable>>;
  cleanup: FinalizationRegistry<WeakRef<Abandonable>>;
}

const registry: Registry = ((globalThis as Record<symbol, Registry | undefined>)[REGISTRY_KEY] ??= (() => {
  const refs = new Set<WeakRef<Abandonable>>();
  return { refs, cleanup: new FinalizationRegistry((ref) => refs.delete(ref)) };
})());

/** Remembers `obj` (weakly) so {@link abandonOwner} in this thread can reach it. @internal */
export function trackAbandonable(obj: Abandonable): void {
  const ref = new WeakRef(obj);
  registry.refs.add(ref);
  registry.cleanup.register(obj, ref);
  abandonAtOwnExit();
}

const EXIT_HOOK_KEY = Symbol.for('multiproc.abandonAtOwnExit');

/**
 * In a Node worker thread, gives back at its own 'exit' what it holds, as its host will on seeing
 * that exit (a non-zero code is a failure, 0 a normal end). The host can do it only when its event
 * loop runs: a host blocked in `acquireSync()` or `waitSync()` on what this thread holds would
 * sleep until its timeout, or for ever without one. A thread ends by an uncaught error, an unhandled
 * rejection, `process.exit()` or running out of work with its 'exit' emitted; a terminated or
 * killed one runs no JavaScript, and its host (which asked for that, so is not blocked) gives back.
 * Nor does one that runs out of memory: on Linux a blocked wait finds it gone (internal/thread-roster.ts).
 * Giving back twice gives nothing the second time: each object checks the owner still holds it.
 */
function abandonAtOwnExit(): void {
  const g = globalThis as Record<symbol, unknown>;
  if (g[EXIT_HOOK_KEY] !== undefined) return;
  g[EXIT_HOOK_KEY] = true;
  const proc = (globalThis as { process?: { on?: (event: 'exit', fn: (code: number) => void) => void } })
    .process;
  // The main thread (threadId 0) ends with its process; a browser has no 'exit' to hear.
  if (typeof proc?.on !== 'function' || !nodeThreadId()) return;
  const ownerId = getOwnerId();
  proc.on('exit', (code) => abandonOwner(ownerId, { endedNormally: code === 0 }));
}

/** How the thread given to {@link abandonOwner} ended. */
export interface AbandonOptions {
  /**
   * `true` when the thread ended normally (its target or task returned, exit code 0, or a pool
   * retired it after its tasks: `maxTasksPerChild`, idle timeout, `close()`): it keeps what it
   * took of the owner-less primitives (`Lock`, `Semaphore`, `BoundedSemaphore` stay taken, as in
   * Python, for another thread to release). `false` when it failed (uncaught error, non-zero exit,
   * terminated or killed, out of memory): those are given back too.
   * @default false
   */
  readonly endedNormally?: boolean | null | undefined;
}

/**
 * Gives back what the ended thread `ownerId` held, among the objects alive in this thread (created
 * here, or received here from another thread). What only that thread could ever release is given
 * back however it ended: an `RLock` it held (marked abandoned and released: the next acquire
 * succeeds and that lock's `abandoned` reads `true`, so the new owner knows the data it protects
 * may be half-updated), a `ByteChannel` side, its place among a `Condition`'s waiters (a later
 * `notify()` is not spent on it), its place at a `Barrier` (the barrier breaks, so the other
 * parties get `BrokenBarrierError`). A `Lock` it held and the permits it took from a `Semaphore`
 * or `BoundedSemaphore` have no owner in Python (any thread may release them): they stay taken
 * when it ended normally (`{ endedNormally: true }`), and are given back when it failed (the lock
 * abandoned as above; permits never above the initial value). Waiters are woken. Beyond Python
 * (a dead process's lock stays held there). multiproc calls this itself when a worker thread it
 * started (a `Process` or a pool worker) ends, saying how it ended; keep a reference to the
 * objects you share with a worker for as long as it runs, or they cannot be found. A worker thread
 * that holds any of these objects also calls it for itself at its own exit (a non-zero exit code is
 * a failure), so a thread blocked in `acquireSync()` for what it held wakes at once. A worker that
 * is terminated or runs out of memory runs no code: this call in the thread that started it gives
 * back, and on Linux so does a thread blocked in `acquireSync()` meanwhile (a `Lock`, an `RLock`, a
 * semaphore permit), in `Barrier.waitSync()` or `Condition.waitSync()`, within about 100 to 200 ms:
 * it looks between 100 ms slices whether the holder's (the other party's) OS thread still exists.
 * @param ownerId the ended thread's {@link getOwnerId} value ({@link ownerIdOfThread} of its `threadId`).
 * @param options how it ended; by default it failed.
 * @returns how many objects gave something back.
 * @throws {ValidationError} when `ownerId` is not a positive 31-bit integer, or `endedNormally`
 *   is given and not a boolean.
 * @example
 * import { Worker } from 'node:worker_threads';
 * import { abandonOwner, ownerIdOfThread } from '@multiproc/shared';
 * const worker = new Worker('process.exit(1)', { eval: true });
 * const workerOwnerId = ownerIdOfThread(worker.threadId); // read while it runs
 * worker.on('exit', (code) => abandonOwner(workerOwnerId, { endedNormally: code === 0 }));
 */
export function abandonOwner(ownerId: number, options?: AbandonOptions): number {
  if (!Number.isInteger(ownerId) || ownerId <= 0 || ownerId > 0x7fff_ffff) {
    throw new ValidationError(`ownerId must be a positive 31-bit integer, got ${describeValue(ownerId)}.`);
  }
  checkOptionKeys(options, ['endedNormally'], 'abandonOwner()');
  const endedNormally = options?.endedNormally ?? false;
  if (typeof endedNormally !== 'boolean') {
    throw new ValidationError(
      `abandonOwner() options.endedNormally must be true or false, got ${describeValue(endedNormally)}.`,
    );
  }
  let released = 0;
  for (const ref of registry.refs) {
    const obj = ref.deref();
    if (obj === undefined) registry.refs.delete(ref);
    else released += obj[kAbandon](ownerId, !endedNormally);
  }
  return released;
}
