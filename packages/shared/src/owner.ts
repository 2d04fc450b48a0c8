/**
 * Thread identity and owner-death recovery.
 *
 * Every JS realm (main thread, worker thread, browser worker) gets a random non-zero 31-bit owner
 * id, kept on `globalThis` so that two copies of this package in one thread agree. Locks write it
 * into their shared word when acquired. When a worker dies while holding a lock, the thread that
 * hosted it calls {@link abandonOwner} with the worker's id: every live lock object known to this
 * thread (created or received here) that the dead owner holds is marked abandoned and released.
 */
import { ValidationError } from './errors.js';
import { type Abandonable, kAbandon } from './internal/protocol.js';

const OWNER_KEY = Symbol.for('multiproc.ownerId');
const REGISTRY_KEY = Symbol.for('multiproc.abandonables');

function randomOwnerId(): number {
  const buf = new Uint32Array(1);
  do {
    if (globalThis.crypto?.getRandomValues) globalThis.crypto.getRandomValues(buf);
    else buf[0] = Math.floor(Math.random() * 0x1_0000_0000);
    buf[0]! &= 0x7fff_ffff;
    // 0 means "free" in a lock word; 0x7fffffff is kept out so that -id never meets the sentinels.
  } while (buf[0] === 0 || buf[0] === 0x7fff_ffff);
  return buf[0]!;
}

/**
 * This thread's owner id: a random integer in `1..2**31-2`, fixed for the life of the thread.
 * Beyond Python (whose locks record a pid/thread id). A worker reports it to its host so the host
 * can pass it to {@link abandonOwner} if the worker dies.
 * @example
 * const me = getOwnerId(); // e.g. 1284392011
 */
export function getOwnerId(): number {
  const g = globalThis as Record<symbol, number | undefined>;
  return (g[OWNER_KEY] ??= randomOwnerId());
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
}

/**
 * Releases every lock that the dead thread `ownerId` holds, among the lock objects alive in this
 * thread (created here, or received here from another thread). Each one is marked abandoned: the
 * next acquire succeeds and that lock's `abandoned` reads `true`, so the new owner knows the data
 * it protects may be half-updated. Waiters are woken. Beyond Python (a dead process's lock stays
 * held there). The host (a `Process` or `Pool`) calls this when a worker exits; keep a reference
 * to the locks you share with a worker for as long as it runs, or they cannot be found.
 * @param ownerId the dead thread's {@link getOwnerId} value.
 * @returns how many locks were released.
 * @throws {ValidationError} when `ownerId` is not a positive 31-bit integer.
 * @example
 * worker.on('exit', () => abandonOwner(workerOwnerId));
 */
export function abandonOwner(ownerId: number): number {
  if (!Number.isInteger(ownerId) || ownerId <= 0 || ownerId > 0x7fff_ffff) {
    throw new ValidationError(`ownerId must be a positive 31-bit integer, got ${String(ownerId)}.`);
  }
  let released = 0;
  for (const ref of registry.refs) {
    const obj = ref.deref();
    if (obj === undefined) registry.refs.delete(ref);
    else released += obj[kAbandon](ownerId);
  }
  return released;
}
