/**
 * A release of a manager lock or semaphore by a connection (client.ts): here while the Lock is
 * leased here (client-lease.ts), pipelined while the connection holds it by its own count
 * (client-pipeline.ts), else a round trip; refused at once when this side knows it fails.
 */
import { LockError } from '@multiproc/shared';
import type { PendingCalls } from './client-calls.js';
import { holdKey, type LockCaller } from './client-lease.js';
import type { Pipelining } from './client-pipeline.js';
import { QUIET, requestFrame } from './rpc.js';
import { isSuccessor, isUnsent } from './unsent.js';
import type { ProxyRef } from './wire.js';

/**
 * Releases `n` permits of `ref`'s object (a lock, Condition or semaphore) for connection `c`: here
 * while leased here; pipelined (`sendQuiet`, when `open`) when `c` holds it by its own count
 * (client-pipeline.ts) and `n` is 1; else a round trip that reports a `LockError` on this call.
 * @throws {LockError} at once when this connection knows the release fails (see {@link knownToFail}).
 */
export function releaseLock(
  c: LockCaller,
  pipe: Pipelining,
  ref: ProxyRef,
  n: number,
  open: boolean,
  sendQuiet: (n: number) => Promise<unknown>,
  pending: Pick<PendingCalls, 'acquiring' | 'inOrder'>,
): Promise<unknown> {
  const id = ref.id;
  const local = n === 1 ? (c.leases?.release(id) ?? null) : null;
  if (local !== null) return local;
  const key = holdKey(ref);
  // A connection that died, or replaces one that did, cannot tell what this realm held: ask.
  const ask = c.dead === true || isSuccessor(c) || pending.acquiring(key);
  const refusal = ask ? null : knownToFail(ref, pipe.count(key), n);
  if (refusal !== null) throw new LockError(refusal);
  if (n !== 1) {
    // A semaphore's release(n): a round trip (it may fail: a BoundedSemaphore past its bound).
    for (let i = 0; i < n && pipe.holds(key); i++) pipe.dropHold(key);
    return c.request(id, 'release', [n]);
  }
  if (!pipe.holds(key) || !open) return c.request(id, 'release', []);
  pipe.dropHold(key);
  return pending.inOrder(id, sendQuiet(requestFrame(0, id, 'release', [], QUIET))); // after earlier calls of it
}

/**
 * Why a release of `n` permits of `ref`'s object is sure to fail, or null when only the manager
 * can tell. `held`: this connection's own count of it (no acquire of it on its way). Python's rules: an RLock only its holder may release; a plain Lock anyone may, while it
 * is held (so this connection can tell only when nobody else can reach it, unsent.ts); a
 * BoundedSemaphore not past its initial value (the same).
 */
function knownToFail(ref: ProxyRef, held: number, n: number): string | null {
  if (held >= n) return null;
  const type = ref.typeid === 'Condition' ? (ref.over?.typeid ?? 'RLock') : ref.typeid;
  if (type === 'RLock') {
    return 'Cannot release an RLock this thread or process does not hold: only the one that acquired it may release it.';
  }
  if (!isUnsent(ref)) return null; // another thread or process may hold it
  if (type === 'Lock') return 'Cannot release an unlocked Lock: acquire() it first.';
  if (type === 'BoundedSemaphore') {
    return `BoundedSemaphore released too many times: ${held === 0 ? 'nothing holds it' : `only ${held} permit(s) are held`}, so it would pass its initial value.`;
  }
  return null;
}
