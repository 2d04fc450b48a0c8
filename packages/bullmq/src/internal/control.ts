/**
 * Pool identity and the control channel: how workers learn that a pool opened, closed or wants
 * jobs cancelled, and how a pool's keys are deleted once no worker serves it any more.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { Registry } from './registry.js';
import type { Signer } from './signing.js';

/** What travels on `<prefix>:control`. `pool` is the pool's registry member. */
export type ControlMessage =
  | { readonly t: 'open'; readonly pool: string }
  | { readonly t: 'close'; readonly pool: string }
  | { readonly t: 'cancel'; readonly pool: string; readonly jobs: readonly string[] };

/**
 * A pool's registry member, `<queue>.<tag>`: the tag is keyed by the secret, so a worker holding
 * another secret never attaches to this pool (it could only reject its jobs).
 */
export function poolMember(queue: string, signer: Signer): string {
  return `${queue}.${signer.tag(queue)}`;
}

/** The queue of a registry member signed with our secret, else `undefined`. */
export function queueOfMember(member: string, signer: Signer): string | undefined {
  const dot = member.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const queue = member.slice(0, dot);
  return signer.tag(queue) === member.slice(dot + 1) ? queue : undefined;
}

export function encodeControl(message: ControlMessage, signer: Signer): string {
  const m = JSON.stringify(message);
  return JSON.stringify({ m, s: signer.sign('control', m) });
}

/** The message, or `undefined` when it is malformed or not signed with our secret. */
export function decodeControl(text: string, signer: Signer): ControlMessage | undefined {
  try {
    const { m, s } = JSON.parse(text);
    if (typeof m !== 'string' || !signer.verify(s, 'control', m)) return undefined;
    return JSON.parse(m) as ControlMessage;
  } catch {
    return undefined;
  }
}

/** How long a pool waits for its workers to detach before deleting its keys anyway. */
export const DETACH_WAIT_MS = 10_000;
/**
 * How long it waits when no worker holds a job of the queue (its BullMQ `active` list is empty):
 * a live worker detaches within milliseconds of the pool's `close`, so what is still attached then
 * is most likely dead (frozen, or cut off: its entry stays until its TTL runs out) and has nothing
 * to write. A live worker slower than this deletes the keys itself once it detached (the last one out).
 */
export const IDLE_DETACH_WAIT_MS = 1000;
const DETACH_POLL_MS = 25;
/** How often the wait asks Redis which attached workers are still connected (CLIENT LIST). */
const CONNECTED_POLL_MS = 100;
const SCAN_COUNT = 1000;

/**
 * Waits (at most `waitMs`, at most {@link IDLE_DETACH_WAIT_MS} while no worker holds a job of the
 * queue) until no live worker is attached to `queue`, then deletes every key of the queue. Workers
 * detach before they let go of the queue, so nothing writes there afterwards.
 *
 * Live: attached (its entry refreshed within its TTL) and connected to Redis. A killed worker's
 * connections close with its process, so one killed while it held a job of the queue is not
 * waited for (it was, for its whole TTL, up to `waitMs`); a frozen one's stay open, so it is
 * waited for until its entry expires; a live worker, slow or not, is never cut short.
 */
export async function sweepQueue(
  redis: Redis,
  registry: Registry,
  queue: string,
  waitMs = DETACH_WAIT_MS,
): Promise<void> {
  const start = Date.now();
  const deadline = start + waitMs;
  const idleDeadline = start + Math.min(waitMs, IDLE_DETACH_WAIT_MS);
  let lookedAt = 0;
  for (;;) {
    const attached = await registry.live(registry.keys.attached(queue));
    if (attached.length === 0 || Date.now() >= deadline) break;
    // BullMQ's list of the queue's jobs that a worker holds (`<prefix>:<queue>:active`).
    if (Date.now() >= idleDeadline && (await redis.llen(`${registry.keys.prefix}:${queue}:active`)) === 0)
      break;
    if (Date.now() - lookedAt >= CONNECTED_POLL_MS) {
      lookedAt = Date.now();
      const connected = await registry.connectedWorkers();
      if (connected && !attached.some((member) => connected.has(workerIdOf(member)))) break;
    }
    await sleep(DETACH_POLL_MS);
  }
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', registry.keys.pattern(queue), 'COUNT', SCAN_COUNT);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
}

/**
 * The workers attached to `queue` that are live by the rule of {@link sweepQueue}: entry not
 * expired, and connected to Redis (all of those with an entry when Redis does not say).
 */
export async function liveAttached(registry: Registry, queue: string): Promise<string[]> {
  const attached = await registry.live(registry.keys.attached(queue));
  if (attached.length === 0) return attached;
  const connected = await registry.connectedWorkers();
  return connected ? attached.filter((member) => connected.has(workerIdOf(member))) : attached;
}

/** The id in a worker's registry entry (JSON with `id`), or `''` when it has none. */
function workerIdOf(member: string): string {
  try {
    const id = (JSON.parse(member) as { id?: unknown })?.id;
    return typeof id === 'string' ? id : '';
  } catch {
    return '';
  }
}
