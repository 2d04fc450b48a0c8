/**
 * Symbols for the package-internal protocol between primitives (exported by the index only for the
 * code it loads on first use, never re-exported by the other packages): a lock that a `Condition` can
 * fully release and restore, and an object that owner-death recovery can reach.
 */

/** `lock[kIsOwned]()`: whether this thread holds the lock. @internal */
export const kIsOwned: unique symbol = Symbol('multiproc.isOwned');
/** `lock[kReleaseAll]()`: releases every level this thread holds and returns what to restore. @internal */
export const kReleaseAll: unique symbol = Symbol('multiproc.releaseAll');
/**
 * `lock[kRestoreSync](saved)` / `lock[kRestoreAsync](saved)`: reacquires after a condition wait.
 * @internal
 */
export const kRestoreSync: unique symbol = Symbol('multiproc.restoreSync');
/** @internal */
export const kRestoreAsync: unique symbol = Symbol('multiproc.restoreAsync');

/** A lock a `Condition` can wait on. */
export interface ConditionLock {
  [kIsOwned](): boolean;
  [kReleaseAll](): number;
  [kRestoreSync](saved: number): void;
  [kRestoreAsync](saved: number): Promise<void>;
}

/**
 * `obj[kAbandon](ownerId, failed)`: gives back what the ended owner held; returns 1 when it gave
 * something back. `failed` false (the thread ended normally) gives back only owner-bound state
 * (an RLock, a place among waiters or at a barrier); an owner-less `Lock` or `Semaphore` permit
 * stays taken, as in Python, for another thread to release.
 * @internal
 */
export const kAbandon: unique symbol = Symbol.for('multiproc.abandon');

/** An object whose shared words can record an ended owner. */
export interface Abandonable {
  [kAbandon](ownerId: number, failed: boolean): number;
}

/** Whether `obj` is an {@link Abandonable}. */
export function isAbandonable(obj: object): obj is Abandonable {
  return typeof (obj as Partial<Abandonable>)[kAbandon] === 'function';
}
