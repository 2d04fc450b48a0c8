/**
 * A worker letting go of the queue of a pool that is gone (closed, or lost with a Redis that
 * restarted), so that no key of the pool is left behind for good. BullMQ's scripts write the
 * queue's `meta` key back whenever it is missing, so any command of the worker's that runs after
 * the pool deleted its keys (a job finished while Redis was down, its commands queued until Redis
 * came back empty; a lock renewal of a frozen worker) makes it again. The worker is the only
 * writer left then, so once its queue's connections are closed (or cut), the last worker out
 * deletes what they wrote.
 */
import type { Redis } from 'ioredis';
import { fulfilsWithin } from '../internal/connection.js';
import { liveAttached, sweepQueue } from '../internal/control.js';
import type { Registry } from '../internal/registry.js';
import type { Attachment } from './attachment.js';
import { describeError, type StatusLog } from './log.js';

/**
 * How long closing a pool's queue may take before its connections are cut: BullMQ's `close()`
 * waits for the running jobs' last commands, which a Redis that restarted under them may never
 * answer (their job keys are gone), so the close would never end and nothing would sweep.
 */
export const CLOSE_WAIT_MS = 5000;

/**
 * Closes `attachment` (its pool is gone: running jobs are cancelled); after `waitMs` its
 * connections are cut instead. Resolves with whether it closed in order.
 */
export async function closeWithin(attachment: Attachment, waitMs = CLOSE_WAIT_MS): Promise<boolean> {
  const closed = await fulfilsWithin(attachment.detach(), waitMs);
  if (!closed) attachment.abandon();
  return closed;
}

/**
 * Deletes every key of `queue` when its pool (`member`) is no longer registered, no live worker
 * (`liveAttached`: a killed one's entry does not count) is attached to it any more, and a key of it is there (`meta`, which BullMQ writes back first):
 * the last worker out of a pool that is gone deletes what it wrote after the pool's own sweep.
 * Resolves with whether it swept. Needs Redis up (it does nothing otherwise); a failure is said in
 * a status line.
 */
export async function sweepIfGone(
  redis: Redis | undefined,
  registry: Registry,
  queue: string,
  member: string,
  log: StatusLog,
): Promise<boolean> {
  if (redis?.status !== 'ready') return false;
  try {
    if (await registry.registered(member)) return false;
    if ((await liveAttached(registry, queue)).length > 0) return false;
    if ((await redis.exists(`${registry.keys.prefix}:${queue}:meta`)) === 0) return false;
    await sweepQueue(redis, registry, queue, 0);
    return true;
  } catch (error) {
    log.event('redis error', { pool: queue, error: describeError(error) });
    return false;
  }
}
