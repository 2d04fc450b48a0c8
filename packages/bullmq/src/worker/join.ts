/**
 * A worker joins its prefix only if every live worker there loads the same tasks: any worker of a
 * prefix takes the jobs of every pool of that prefix, so one without a job's task would fail the
 * call (`UnknownTaskError`) by lot, depending on which worker took the job. A refusal is said at
 * once (the command line exits with it) and noted for the pools of the prefix.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ValidationError } from '@multiproc/core';
import type { Registry } from '../internal/registry.js';
import type { Signer } from '../internal/signing.js';
import type { StatusLog } from './log.js';

/** How many task ids the refusal lists on each side. */
const LISTED = 6;

/** What a worker joining its prefix needs besides the registry. */
export interface JoinOptions {
  /** Its id and its entry in the workers zset (JSON: id, host, pid, concurrency, tasks). */
  readonly id: string;
  readonly member: string;
  readonly tasks: readonly string[];
  readonly ttlMs: number;
  /** Where Redis is, for messages. */
  readonly where: string;
  readonly signer: Signer;
  readonly log: StatusLog;
  /** Ends the join (a stop while the worker starts): it rejects with the signal's reason. */
  readonly signal?: AbortSignal | undefined;
}

/** How often a worker waiting out another's entry looks whether that one is alive after all. */
const POLL_MS = 200;

/** How long pools can read a refusal (see {@link noteRefusal}). */
export const REFUSAL_TTL_MS = 10 * 60_000;

/**
 * How long a joining worker waits for a worker it pinged to heartbeat: a live worker answers within
 * milliseconds (its event loop is free: tasks run on its local pool), a frozen one never does.
 */
export const PING_WAIT_MS = 2000;

/**
 * Registers the worker in the prefix's workers zset. A live worker there that loads other tasks
 * makes it refuse at once. Live, as for a pool waiting on its workers (`internal/control.ts`):
 * connected to Redis and heartbeating. So the other worker is asked to heartbeat now (a ping): one
 * that does refuses this one at once; one that does not (frozen: SIGSTOP, a debugger) or has no
 * connection (killed just now) refuses nothing: its entry, which lives on until its ttl runs out,
 * is waited out, once per worker, saying so in a status line, unless a heartbeat shows it alive
 * meanwhile. A refusal is noted in Redis for the pools of the prefix, whose calls no worker may
 * serve then (see `pool/unserved.ts`); a worker that joins clears it.
 * @throws {ValidationError} when a live worker of the prefix loads other tasks.
 */
export async function joinPrefix(registry: Registry, o: JoinOptions): Promise<void> {
  const waited = new Set<string>();
  for (;;) {
    o.signal?.throwIfAborted();
    const other = await registry.join(o.member, o.tasks, o.ttlMs);
    if (!other) {
      await registry.noteRefusal(null).catch(() => {});
      return;
    }
    const [theirs, msLeft] = other;
    const info = JSON.parse(theirs) as { id: string; tasks: string[] };
    const left = Math.max(0, Number(msLeft));
    const state = waited.has(info.id) ? 'live' : await probe(registry, info.id, theirs, left, o.signal);
    if (state === 'live') {
      const error = disagree(registry.keys.prefix, o.where, info, o.tasks);
      await noteRefusal(registry, o, error).catch(() => {});
      throw error;
    }
    waited.add(info.id);
    o.log.event('join waiting', {
      for: info.id,
      ms: left,
      why:
        state === 'gone'
          ? 'it loads other tasks and has no connection to Redis (killed just now?): its entry expires then'
          : 'it loads other tasks and did not answer a ping (frozen?): its entry expires then',
    });
    // Then the loop joins again: refused if the entry is still there (its worker is alive).
    await untilExpiredOrRefreshed(registry, theirs, left + 100, undefined, o.signal);
  }
}

/**
 * Whether worker `id` (entry `member`, `msLeft` ms to live) is alive: `gone` when it has no
 * connection to Redis (a killed process's sockets close with it), else `live` when it heartbeats
 * within {@link PING_WAIT_MS} of a ping, `silent` when it does not.
 */
async function probe(
  registry: Registry,
  id: string,
  member: string,
  msLeft: number,
  signal: AbortSignal | undefined,
): Promise<'live' | 'gone' | 'silent'> {
  if ((await registry.connected(id)) === false) return 'gone';
  const before = await registry.expiry(registry.keys.workers, member);
  await registry.ping(id);
  await untilExpiredOrRefreshed(registry, member, Math.min(PING_WAIT_MS, msLeft), before, signal);
  const now = await registry.expiry(registry.keys.workers, member);
  return now !== null && before !== null && now > before ? 'live' : 'silent';
}

/**
 * Waits until the entry `member` of the workers zset expires (`ms` at most), or until its expiry
 * moves on from `first` (its worker's heartbeat: it is alive after all); rejects once `signal` aborts.
 */
async function untilExpiredOrRefreshed(
  registry: Registry,
  member: string,
  ms: number,
  first?: number | null,
  signal?: AbortSignal,
): Promise<void> {
  const key = registry.keys.workers;
  const from = first === undefined ? await registry.expiry(key, member) : first;
  for (const end = Date.now() + ms; Date.now() < end; ) {
    await sleep(Math.min(POLL_MS, Math.max(0, end - Date.now())), undefined, { signal });
    const now = await registry.expiry(key, member);
    if (now === null || (from !== null && now > from)) return;
  }
}

/** The refusal, signed, where the pools of the prefix read it (`pool/unserved.ts`). */
function noteRefusal(registry: Registry, o: JoinOptions, error: Error): Promise<void> {
  const at = Date.now();
  const text = `${error.name}: ${error.message}`;
  const sig = o.signer.sign('refused', registry.keys.prefix, o.id, String(at), text);
  return registry.noteRefusal(JSON.stringify({ worker: o.id, at, text, sig }), REFUSAL_TTL_MS);
}

function disagree(
  prefix: string,
  where: string,
  other: { id: string; tasks: string[] },
  tasks: readonly string[],
): ValidationError {
  const list = (ids: string[]) =>
    ids.length === 0
      ? 'none'
      : ids.slice(0, LISTED).join(', ') + (ids.length > LISTED ? ` (and ${ids.length - LISTED} more)` : '');
  const here = tasks.filter((t) => !other.tasks.includes(t));
  const there = other.tasks.filter((t) => !tasks.includes(t));
  return new ValidationError(
    `multiproc-worker: the workers of prefix '${prefix}' on Redis at ${where} load other task modules: ` +
      `worker ${other.id} has tasks this one lacks (${list(there)}), this one has tasks it lacks ` +
      `(${list(here)}). Every worker of a prefix takes jobs of every pool of that prefix, so calls ` +
      'would fail with UnknownTaskError whenever a worker without the task took the job. Start this ' +
      'worker with the same --tasks as the others (to deploy another set of tasks, stop the old ' +
      'workers first), or give it a prefix of its own (--prefix, and the same prefix option in the ' +
      'pools that call its tasks).',
  );
}
