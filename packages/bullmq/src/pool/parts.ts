/**
 * The parts of a BullMQ pool (its session, jobs and calls) and how they are wired: they reach the
 * `Pool` only through the hooks it gives them, never while it is idle, so that a pool its program
 * dropped without `close()` can be collected; a finalizer then lets go of Redis as `terminate()`
 * would (Python: `Pool.__del__`). Without that, its connections and heartbeat would live as long as
 * the program, as nothing else ends them.
 */
import { randomBytes } from 'node:crypto';
import { cpuCount, PoolClosedError } from '@multiproc/core';
import { permissionError, resolveConnection } from '../internal/connection.js';
import { poolMember } from '../internal/control.js';
import { resolveSecret, Signer } from '../internal/signing.js';
import { Calls } from './calls.js';
import { listenerSafe } from './emitter.js';
import { Jobs } from './jobs.js';
import type { Liveness } from './liveness.js';
import type { ResolvedPoolOptions } from './options.js';
import { Session } from './session.js';

/** What the parts get from their pool: plain values, and hooks that reach it weakly. */
export interface PartsInit {
  readonly stop: AbortController;
  readonly liveness: Liveness;
  /** The pool, if it has not been collected. */
  readonly pool: () => object | undefined;
  readonly emit: (event: string, ...args: unknown[]) => void;
  readonly onReaped: () => void;
  readonly onLost: (error: Error) => void;
  /** Whether the pool was terminated (a call stopped then rejects once the teardown is done). */
  readonly terminated: () => boolean;
}

/** What a pool's connections, timers and Redis listeners reach: never the `Pool` while it is idle. */
export interface Parts {
  readonly session: Session;
  readonly jobs: Jobs;
  readonly calls: Calls;
  readonly ready: Promise<void>;
  readonly stop: AbortController;
  /** Every Redis key of the pool starts with this: `<prefix>:pool-<id>:`. */
  readonly keyPrefix: string;
  shutdown: Promise<void> | undefined;
  /** The pool, held strongly while a call is pending (a call's caller may hold only its promise). */
  held: object | undefined;
}

/**
 * Makes a pool's parts and starts connecting them (`ready`), on a queue of its own.
 * @throws {ValidationError} for a missing or short secret or a bad connection.
 */
export function openParts(o: ResolvedPoolOptions, init: PartsInit): Parts {
  const { stop, liveness } = init;
  const signer = new Signer(resolveSecret(o.secret, 'Pool'));
  const connection = resolveConnection(o.connection, 'Pool');
  const queue = `pool-${randomBytes(6).toString('hex')}`;
  const member = poolMember(queue, signer);
  const events = listenerSafe({ emit: init.emit });
  const shared = { connection, signer, queue, events, liveness };
  let calls: Calls | undefined;
  let jobs: Jobs | undefined;
  const session = new Session({
    ...o,
    ...shared,
    member,
    onReaped: init.onReaped,
    onLost: init.onLost,
    waiting: () => (jobs?.size ?? 0) > 0,
  });
  jobs = new Jobs({
    ...shared,
    prefix: o.prefix,
    attempts: o.attempts,
    onChange: () => calls?.wake(),
    confirm: () => session.refresh(),
  });
  const ready = open(session, jobs, connection.label, o.prefix);
  ready.catch(() => {});
  const fixed = o.processes;
  calls = new Calls({
    jobs,
    session,
    ready,
    stop: stop.signal,
    terminating: () => (init.terminated() ? parts.shutdown : undefined),
    member,
    moduleNames: o.moduleNames,
    fixedProcesses: fixed !== undefined,
    processes: () => fixed ?? (session.concurrency || cpuCount()),
    // Work keeps the program alive, and so does join() or terminate() under way; a pending call
    // keeps the pool too (its caller may hold only the call's promise).
    keepAlive: (busy) => {
      parts.held = busy ? (parts.held ?? init.pool()) : undefined;
      liveness.set(busy || parts.shutdown !== undefined);
    },
  });
  const keyPrefix = `${o.prefix}:${queue}:`;
  const parts: Parts = { session, jobs, calls, ready, stop, keyPrefix, shutdown: undefined, held: undefined };
  return parts;
}

async function open(session: Session, jobs: Jobs, label: string, prefix: string): Promise<void> {
  try {
    await session.connect();
    await jobs.open();
    await session.register();
  } catch (error) {
    throw permissionError(error, label, prefix, "the Pool's prefix option");
  }
}

/** Lets go of Redis once (deleting the pool's keys): `join()`, `terminate()`, or the pool collected. */
export function shutDown(parts: Parts): Promise<void> {
  // No call needs Redis: a first connection still awaited is not worth waiting for (nothing to clean).
  parts.session.giveUp(new PoolClosedError('The pool was closed before it connected to Redis.'));
  parts.shutdown ??= (async () => {
    await parts.ready.catch(() => {});
    await parts.jobs.close(!parts.session.connected);
    await parts.session.close();
  })();
  return parts.shutdown;
}

/**
 * A pool collected while idle and open (dropped without `close()`): its calls have all settled, so
 * it goes as `terminate()` would, without keeping the program alive for it.
 */
export const dropped = new FinalizationRegistry<Parts>((parts) => {
  parts.stop.abort(new PoolClosedError('The pool was garbage-collected.'));
  void shutDown(parts).catch(() => {});
});

/**
 * `chunks`, holding `pool` as long as the loop may read on: an open `imap` whose jobs have all come
 * back (its loop paused) keeps its pool, as it would keep a local one.
 */
export async function* holding<T>(pool: object, chunks: AsyncGenerator<T, void, undefined>) {
  try {
    return yield* chunks;
  } finally {
    void pool;
  }
}
