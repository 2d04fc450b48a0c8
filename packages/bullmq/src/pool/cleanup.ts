/**
 * A pool's last work in Redis when it ends (`join()`, `terminate()`): unregister it, tell its
 * workers, wait for them to detach and delete its keys.
 *
 * It runs on the pool's own connection when that is up. When it is not (it has just dropped: a
 * network blip, a proxy or failover cutting sockets, `CLIENT KILL`), it runs on whichever is ready
 * first of that connection reconnecting by itself and a fresh one opened for the cleanup (same
 * options), each given `connectTimeout` to connect: a fixed wait for the old connection alone raced
 * its reconnection, and lost under load. A connection that drops mid-way is given up at once (cut,
 * so nothing it queued is sent later) and the cleanup starts again on one that is up: every step is
 * idempotent. Only a Redis unreachable for all of `connectTimeout` (or refusing the credentials)
 * leaves the keys to the workers' sweep, `clientTtl` after the pool's last heartbeat.
 */
import type { Redis } from 'ioredis';
import {
  createClient,
  cutClient,
  cutIfUnanswered,
  DROPPED,
  debug,
  fulfilsWithin,
  type ResolvedConnection,
  unlessDropped,
  waitReady,
} from '../internal/connection.js';
import { encodeControl, sweepQueue } from '../internal/control.js';
import { type Keys, Registry } from '../internal/registry.js';
import type { Signer } from '../internal/signing.js';
import type { Liveness } from './liveness.js';

/** How many times the cleanup starts over on another connection after the one it used dropped. */
const RETRIES = 2;

export interface CleanupTarget {
  readonly connection: ResolvedConnection;
  readonly keys: Keys;
  readonly queue: string;
  /** The pool's registry member. */
  readonly member: string;
  readonly signer: Signer;
  readonly connectTimeout: number;
  readonly liveness: Liveness;
}

/**
 * Cleans up after the pool whose client is `redis` (see the module's comment). Never throws: what
 * Redis refuses, or a Redis unreachable for `connectTimeout`, is left to the workers' sweep. Closes
 * the connections it opened; `redis` is left to the caller (cut when it dropped or lost the race).
 */
export async function cleanUp(redis: Redis, t: CleanupTarget): Promise<void> {
  let client: Redis | undefined = redis.status === 'ready' ? redis : undefined;
  const opened: Redis[] = [];
  try {
    for (let attempt = 0; attempt <= RETRIES; attempt++) {
      client ??= await firstReady(redis, t, opened);
      if (!client || (await runOn(client, t))) return;
      client = undefined;
    }
  } finally {
    await Promise.all(opened.map((c) => letGo(c, t.connectTimeout)));
  }
}

/**
 * The first ready of `old` (reconnecting by itself, unless cut) and a fresh client, each given
 * `connectTimeout`; the other is cut. `undefined` when neither connected in time.
 */
async function firstReady(old: Redis, t: CleanupTarget, opened: Redis[]): Promise<Redis | undefined> {
  const fresh = createClient(t.connection, `multiproc:${t.queue}:cleanup`);
  opened.push(fresh);
  t.liveness.client(fresh);
  const stop = new AbortController();
  const candidates = old.status === 'end' ? [fresh] : [fresh, old];
  const { connectTimeout: ms, connection } = t;
  const ready = candidates.map((c) =>
    waitReady(c, ms, connection.label, '', undefined, stop.signal).then(() => c),
  );
  try {
    const winner = await Promise.any(ready);
    debug('bullmq: cleanup of %s on %s connection', t.queue, winner === fresh ? 'a fresh' : 'its own');
    for (const c of candidates) if (c !== winner) cutClient(c);
    return winner;
  } catch (error) {
    const cause = (error as AggregateError).errors?.[0] as Error | undefined;
    debug('bullmq: cleanup of %s gave up: %s', t.queue, cause?.message);
    for (const c of candidates) cutClient(c);
    return undefined;
  } finally {
    stop.abort();
  }
}

/**
 * Runs the cleanup on `client`: `true` once done (or refused by Redis: final), `false` when its
 * connection dropped (or answered nothing for `connectTimeout`) first; it is cut then.
 */
async function runOn(client: Redis, t: CleanupTarget): Promise<boolean> {
  const stopWatch = cutIfUnanswered(client, t.connectTimeout);
  try {
    const done = steps(client, t).then(
      () => undefined,
      (e: unknown) => e,
    );
    const outcome = await unlessDropped(client, done);
    if (outcome === undefined) return true;
    if (outcome === DROPPED || client.status !== 'ready') {
      debug('bullmq: cleanup of %s: its connection dropped, starting over', t.queue);
      cutClient(client);
      return false;
    }
    debug('bullmq: cleanup of %s failed: %s', t.queue, (outcome as Error)?.message);
    return true;
  } finally {
    stopWatch();
  }
}

async function steps(client: Redis, t: CleanupTarget): Promise<void> {
  const { keys, member } = t;
  await client.zrem(keys.pools, member);
  await client.publish(keys.control, encodeControl({ t: 'close', pool: member }, t.signer));
  await sweepQueue(client, new Registry(client, keys), t.queue);
}

/** Closes `client`: politely when it is up (cut if that takes `ms`), else cut at once. */
export async function letGo(client: Redis, ms: number): Promise<void> {
  if (client.status === 'ready' && (await fulfilsWithin(client.quit(), ms))) return;
  cutClient(client);
}
