/**
 * Which manager objects are known to this thread or process alone: made here (by this realm's
 * request) and never sent since. A proxy leaves its realm only as its reference (proxy.ts,
 * encodeSymbol), so an object whose reference was never encoded can be reached by nobody else: a
 * `release()` of such a Lock that this realm does not hold is known to fail without asking the
 * manager, and throws `LockError` at once (client-lease.ts, releaseLock).
 *
 * A connection made after this realm's last one to the same manager died knows nothing of what
 * that one held (the manager released it, or is gone): its releases always ask the manager, so a
 * manager that is gone answers `ManagerClosedError`, not a `LockError` made here.
 *
 * Kept by reference object: every proxy made here for one object shares its creation's reference
 * (a synchronized Value's `lock` field, a Condition's `over` field are the lock's own reference),
 * and a weak set forgets what nobody refers to.
 */
import type { ProxyRef } from './wire.js';

const unsent = new WeakSet<ProxyRef>();
const successors = new WeakSet<object>();

/** `ref` was made by this realm's request: only this realm knows it. */
export function madeHere(ref: ProxyRef): ProxyRef {
  unsent.add(ref);
  return ref;
}

/** `ref` is being sent (encoded): others may reach it and what it carries from now on. */
export function sendingRef(ref: ProxyRef): void {
  unsent.delete(ref);
  if (ref.lock !== undefined) unsent.delete(ref.lock);
  if (ref.over !== undefined) unsent.delete(ref.over);
}

/** Whether only this realm can reach `ref`'s object (and, for a Condition, its lock). */
export function isUnsent(ref: ProxyRef): boolean {
  return unsent.has(ref) && (ref.over === undefined || unsent.has(ref.over));
}

/** `connection` replaces one of this realm's that died (client-registry.ts). */
export function madeAfterDeath(connection: object): void {
  successors.add(connection);
}

/** Whether `connection` replaces one that died: what it holds is known from its own calls only. */
export function isSuccessor(connection: object): boolean {
  return successors.has(connection);
}
