/**
 * A copy's waits that end at its home's answer (remote-handle.ts): a get, and the catch-up of a
 * `poll()` or `wait()` that does not wait.
 *
 * A get with a timeout that runs out is withdrawn at the home, and ends at the home's answer, at
 * most {@link SYNC_ANSWER_MS} later: an item the home pushed for it meanwhile is not lost.
 *
 * Catch-up: Python's `poll()` and `wait(timeout=0)` see at once what the OS pipe holds, also what
 * a peer sent before this process started. Here a copy holds only what its home pushed to it: a
 * poll that finds nothing after one turn of the event loop starts watching (which asks the home
 * for read-ahead), then asks R_SYNC; the home answers on the same link after what it pushed for
 * that demand, so once the answer is here, what the home held then has arrived. A home that does
 * not answer in time (its thread busy) could not deliver meanwhile either: it answers as things are.
 */
import type { CopyProtocol } from '../protocol/copy.js';
import { type Taken, TIMEOUT } from '../protocol/item.js';
import { Op } from '../protocol/ops.js';
import type { GetResult } from './handle.js';
import { SYNC_ANSWER_MS } from './remote-sync.js';
import { Waiter } from './waiter.js';

/** Takes an item, waiting up to `timeoutMs` (0: one the home has now); `cancel` withdraws an abandoned get. */
export function copyGet(
  proto: CopyProtocol,
  timeoutMs: number | undefined,
  cancel: (w: Waiter<Taken | typeof TIMEOUT>) => void,
): GetResult | Promise<GetResult> {
  const now = proto.get(null);
  if (now !== undefined) return now;
  proto.clock = performance.now();
  const w = new Waiter<Taken | typeof TIMEOUT>(cancel);
  if (timeoutMs === 0) {
    const r = proto.tryGet(w);
    if (r === undefined) return w.promise;
    w.settle(r);
    return r;
  }
  proto.get(w);
  // Timed out, it ends at the home's answer (receiver-waits.ts), or SYNC_ANSWER_MS later at the most.
  const expire = (confirm: boolean): unknown =>
    proto.cancel(w, confirm)
      ? w.settle(TIMEOUT)
      : confirm && w.expireAfter(SYNC_ANSWER_MS, () => expire(false));
  if (timeoutMs !== undefined) w.expireAfter(timeoutMs, () => expire(true));
  return w.promise;
}

/** Resolves once the home answered an R_SYNC sent now (at once when `ready` or the link is gone). */
export function caughtUp(proto: CopyProtocol, ready: boolean): Promise<void> {
  if (ready || proto.state === 'gone') return Promise.resolve();
  const w = new Waiter<boolean>(() => {});
  proto.ask(Op.R_SYNC, w);
  w.expireAfter(SYNC_ANSWER_MS, () => w.settle(false));
  return w.promise.then(() => undefined);
}
