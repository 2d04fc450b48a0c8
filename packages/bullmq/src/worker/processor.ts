/**
 * What a worker does with one job: check its signature (a forged job never runs), look its task
 * up (an unknown task is never imported), run it on the local pool, and sign the result. A task's
 * error becomes the call's error on the last attempt; before that it is thrown so that BullMQ
 * retries the job (`attempts`). A job cancelled by its pool fails quietly; one taken back from a
 * stopping worker returns to the queue for another worker.
 */
import { setMaxListeners } from 'node:events';
import {
  ContextError,
  type Pool as LocalPool,
  SerializationError,
  WorkerCrashedError,
} from '@multiproc/core';
import { withoutCallerStack } from '@multiproc/core/internal';
import { type Job, UnrecoverableError, WaitingError } from 'bullmq';
import { RedisConnectionError, UnknownTaskError, VersionMismatchError } from '../errors.js';
import { redisRefusal } from '../internal/connection.js';
import { toErrorRecord } from '../internal/error-record.js';
import {
  HELD_ARGS_FORMAT,
  type HeldResult,
  INLINE_ARGS_MAX,
  INLINE_RESULT_MAX,
  type JobData,
  type ResultPayload,
  type Signed,
  signBody,
  signHeld,
  verifyJob,
} from '../internal/protocol.js';
import type { Signer } from '../internal/signing.js';
import { unclonable } from '../internal/unsendable.js';
import {
  encodeResult,
  pack,
  packBare,
  packBytes,
  thrownRecord,
  undecodable,
  unpack,
  unpackBytes,
  WIRE_FORMAT,
} from '../internal/wire.js';
import { type CatalogEntry, fingerprintMatches } from './catalog.js';
import { describeError, type StatusLog } from './log.js';
import { roughSize } from './rough-size.js';

/** Why a running job is stopped (the reason given to BullMQ's `cancelJob`). */
export type StopReason = 'cancel' | 'detach' | 'handback';

export interface ProcessorContext {
  readonly queue: string;
  readonly signer: Signer;
  readonly catalog: ReadonlyMap<string, CatalogEntry>;
  readonly local: LocalPool;
  readonly log: StatusLog;
  /** The local workers' heap limit (MB) given to this worker, if one was. */
  readonly maxOldSpaceSize: number | undefined;
  /** Jobs cancelled before they started here (a cancel can overtake the fetch). */
  readonly cancelled: ReadonlySet<string>;
  /** Whether the pool noted the job as cancelled in Redis (asked of a job that runs again). */
  readonly wasCancelled: (jobId: string) => Promise<boolean>;
  /** Stores the bytes of a result too large to travel in the return value (`resultKey`). */
  readonly hold: (jobId: string, bytes: Buffer) => Promise<unknown>;
  /** Reads the bytes of a payload too large for the job's data (`argsKey`); null when gone. */
  readonly payload: (jobId: string) => Promise<Buffer | null>;
  /**
   * Keeps the job's lock for its lock duration plus `busyMs` from now, and has BullMQ's renewals
   * meanwhile extend it no less (they would shorten it back to the lock duration).
   */
  readonly keepLock: (job: Job, token: string, busyMs: number) => Promise<void>;
}

/**
 * How long (ms per byte) a synchronous step over a large payload or result may keep the event loop
 * (verifying its signature, decoding it, copying it to a local worker: about 10 ms per MB measured,
 * taken 4 times over). BullMQ renews a job's lock on a timer, which does not fire meanwhile.
 */
const BUSY_MS_PER_BYTE = 1 / 25_000;

/**
 * Extends the job's lock to cover a synchronous step over `size` bytes: its lock duration plus
 * the time such a step may take (BullMQ's own renewals resume after it). Without this, a large
 * payload with a short lock outlived the lock, and the job was taken back as stalled while it ran.
 */
async function keepLock(ctx: ProcessorContext, job: Job, token: string | undefined, size: number) {
  if (token === undefined || size <= INLINE_ARGS_MAX) return;
  await ctx.keepLock(job, token, Math.ceil(size * BUSY_MS_PER_BYTE)).catch(() => {});
}

export async function processJob(
  ctx: ProcessorContext,
  job: Job,
  token: string | undefined,
  signal: AbortSignal,
): Promise<Signed | HeldResult> {
  const { queue, signer, log } = ctx;
  const id = job.id!;
  const fields = { pool: queue, job: id, task: job.name };
  const data = job.data as JobData;
  // A large payload waits in its own key (read on the worker's own connection, not BullMQ's).
  let held: Buffer | undefined;
  if (data?.v === HELD_ARGS_FORMAT && typeof data.held === 'number') {
    if (ctx.cancelled.has(id)) throw new UnrecoverableError('cancelled by its pool');
    // Reading, verifying and decoding it keeps the event loop busy in stretches: the lock is kept.
    await keepLock(ctx, job, token, data.held);
    const bytes = await ctx.payload(id);
    if (bytes === null) return payloadGone(ctx, job, fields);
    held = bytes;
  }
  if (!verifyJob(signer, queue, id, job.name, job.data, held)) {
    log.event('job rejected', { ...fields, reason: 'AuthenticationError: not signed with this secret' });
    // A pool of wire format 2 or later reads "wire format" in this text as a forged job, not as
    // the refusal of a worker of format 1 (see OLD_WORKER_REFUSAL in pool/jobs.ts).
    throw new UnrecoverableError(
      `AuthenticationError: job ${id} is not signed with the worker's secret (wire format ${WIRE_FORMAT}); it did not run.`,
    );
  }
  // Format 3 is format 2 with the payload held in its own key.
  const known = data.v === WIRE_FORMAT || (data.v === HELD_ARGS_FORMAT && held !== undefined);
  if (!known) return otherFormat(ctx, job, data.v, fields);
  const entry = ctx.catalog.get(job.name);
  const error = entry
    ? otherModule(job.name, data.mod, entry, ctx.catalog)
    : noSuchTask(job.name, data.mod, ctx.catalog);
  if (error) {
    log.event('job rejected', { ...fields, reason: describeError(error) });
    return sign(ctx, id, { ok: false, error: toErrorRecord(error) });
  }
  const ref = entry!.ref;
  if (ctx.cancelled.has(id)) throw new UnrecoverableError('cancelled by its pool');
  // A job that ran before (its worker died, or it is retried) may belong to a call that ended
  // meanwhile: its cancel went out while no live worker held it.
  if ((job.stalledCounter > 0 || job.attemptsStarted > 1) && (await ctx.wasCancelled(id))) {
    log.event('job cancelled', { ...fields, by: 'its pool', before: 'it ran again' });
    throw new UnrecoverableError('cancelled by its pool');
  }
  let payload: unknown[];
  await keepLock(ctx, job, token, held?.length ?? data.body.length);
  try {
    payload = (held ? unpackBytes(held) : unpack(data.body)) as unknown[];
  } catch (cause) {
    // Not a crash: this Node cannot rebuild what the caller sent (a Float16Array on Node 22).
    const what = `The ${data.kind === 'apply' ? 'arguments' : 'items'} of job ${id} (${job.name})`;
    const refusal = undecodable(what, data.kind === 'apply' ? 'args' : 'items', 'worker', cause);
    log.event('job rejected', { ...fields, reason: describeError(refusal) });
    return sign(ctx, id, { ok: false, error: toErrorRecord(refusal) });
  }
  const messages: Promise<unknown>[] = [];
  // Settled (allSettled) before the job ends; a message for a job its pool cancelled meanwhile
  // (its key removed: "Missing key") is not wanted any more, and must not be an unhandled rejection.
  const onMessage = data.msg
    ? (value: unknown) => {
        const sent = job.updateProgress(
          signBody(signer, 'message', queue, id, pack(value, 'message')) as any,
        );
        sent.catch(() => {});
        messages.push(sent);
      }
    : undefined;
  // The local pool listens on the signal once per chunk it cuts the job into.
  setMaxListeners(0, signal);
  const options = { signal, ...(onMessage ? { onMessage } : {}) };
  // A job is already one chunk of the call: split it once across the local workers, no further.
  const mapOptions = { ...options, chunksize: Math.max(1, Math.ceil(payload.length / ctx.local.processes)) };
  log.event('job started', {
    ...fields,
    items: data.kind === 'apply' ? undefined : payload.length,
    attempt: job.attemptsMade + 1,
  });
  const started = performance.now();
  let result: ResultPayload;
  const values: unknown[] = [];
  try {
    if (data.kind === 'apply') result = { ok: true, value: await ctx.local.apply(ref, payload, options) };
    else {
      if (data.kind === 'star')
        values.push(...(await ctx.local.starmap(ref, payload as unknown[][], mapOptions)));
      else for await (const value of ctx.local.imap(ref, payload, mapOptions)) values.push(value);
      result = { ok: true, values, ms: performance.now() - started };
    }
  } catch (thrown) {
    // The frames of this worker's own await of its local pool say nothing to the caller, whose pool
    // adds the frames of the code awaiting the call (core's caller-stack.ts).
    const error = workerSideAdvice(withoutCallerStack(thrown), ctx.maxOldSpaceSize);
    await Promise.allSettled(messages);
    if (signal.aborted) return stopped(job, token, signal.reason as StopReason, fields, log);
    if (job.attemptsMade + 1 < (job.opts.attempts ?? 1)) {
      log.event('job retrying', { ...fields, error: describeError(error) });
      throw error;
    }
    log.event('job failed', { ...fields, error: describeError(error) });
    result = { ok: false, error: thrownRecord(error), values, ms: performance.now() - started };
  }
  await Promise.allSettled(messages);
  if (result.ok) log.event('job completed', { ...fields, ms: Math.round(performance.now() - started) });
  return sign(ctx, id, result, job, token);
}

/**
 * A job of another wire format (a pool of another version of this package): refused without
 * reading its body, with an answer the pool can read. Format 1 read bare v8 bytes; a later
 * format's pool knows this one's answers.
 */
function otherFormat(
  ctx: ProcessorContext,
  job: Job,
  format: number,
  fields: Record<string, unknown>,
): Signed {
  const newer = format > HELD_ARGS_FORMAT;
  const error = new VersionMismatchError(
    `Job ${job.id} (${job.name}) comes from a pool of ${newer ? 'a newer' : 'an older'} @multiproc/bullmq ` +
      `(wire format ${format}) than this worker's (wire format ${WIRE_FORMAT}); it did not run. ` +
      `Upgrade @multiproc/bullmq ${newer ? 'on this worker' : 'in the program that made the pool'}, so that ` +
      'the pool and its workers run the same version.',
  );
  ctx.log.event('job rejected', { ...fields, reason: describeError(error) });
  const result = { ok: false, error: toErrorRecord(error) };
  const body = format === 1 ? packBare(result) : packBytes({ value: result, encoded: false });
  return signBody(ctx.signer, 'result', ctx.queue, job.id!, body.toString('base64'));
}

/** The payload of a job is gone from Redis (evicted, flushed): the call fails, saying why. */
function payloadGone(ctx: ProcessorContext, job: Job, fields: Record<string, unknown>) {
  const error = new RedisConnectionError(
    `The arguments of job ${job.id} (${job.name}) are gone from Redis before a worker read them: ` +
      'Redis evicted them (run Redis with maxmemory-policy noeviction) or was flushed; it did not run.',
  );
  ctx.log.event('job rejected', { ...fields, reason: describeError(error) });
  return sign(ctx, job.id!, { ok: false, error: toErrorRecord(error) });
}

/**
 * The job names a task this worker lacks. When the worker's module of that name defines other
 * tasks than the caller's, the two are different modules of one file name: that is said (with
 * `otherModule`'s advice), not "start a worker with --tasks", which such a worker has done.
 */
function noSuchTask(
  taskId: string,
  mod: string,
  catalog: ReadonlyMap<string, CatalogEntry>,
): UnknownTaskError {
  const prefix = taskId.slice(0, taskId.indexOf('#') + 1);
  const sameName = [...catalog].find(([id]) => id.startsWith(prefix))?.[1];
  const other = sameName && otherModule(taskId, mod, sameName, catalog);
  if (other) return other;
  return new UnknownTaskError(
    taskId,
    `The worker has no task '${taskId}': start multiproc-worker with --tasks naming the module that ` +
      `exports it (its tasks: ${[...catalog.keys()].join(', ') || 'none'}).${loadedAs(taskId, mod, catalog)}`,
  );
}

/**
 * The job names a task of a module that defines other tasks than this worker's module of that
 * name: two modules share a file name (`src/a/tasks.js`, `src/b/tasks.js`), or caller and worker
 * run different versions of it. Running this worker's function of that name could run other code.
 */
function otherModule(
  taskId: string,
  mod: string,
  entry: CatalogEntry,
  catalog: ReadonlyMap<string, CatalogEntry>,
): UnknownTaskError | undefined {
  if (fingerprintMatches(entry, mod)) return undefined;
  const name = taskId.slice(0, taskId.indexOf('#'));
  return new UnknownTaskError(
    taskId,
    `The worker's module named '${name}' (${entry.ref.module}, tasks: ${entry.moduleTasks.join(', ')}) ` +
      `is not the caller's: the caller's module of that name defines other tasks, so '${taskId}' did ` +
      'not run here. Two task modules with the same file name need distinct names: give yours one with ' +
      "the pool's moduleNames option and multiproc-worker --tasks name=path (or deploy the same version " +
      `of the module on both sides).${loadedAs(taskId, mod, catalog)}`,
  );
}

/**
 * When the worker loaded a module with the caller's tasks under another name (`--tasks
 * math=./lib/tasks.js` while the pool names it by its file, `tasks`), the pool's `moduleNames`
 * entry that reaches it; else nothing.
 */
function loadedAs(taskId: string, mod: string, catalog: ReadonlyMap<string, CatalogEntry>): string {
  const name = taskId.slice(0, taskId.indexOf('#'));
  if (mod === '') return '';
  for (const [id, entry] of catalog) {
    const as = id.slice(0, id.indexOf('#'));
    if (as === name || entry.fingerprint === '' || !fingerprintMatches(entry, mod)) continue;
    // A name such as 'set-a' is no identifier: quoted, the advice can be pasted as it is.
    const key = /^[A-Za-z_$][\w$]*$/.test(as) ? as : `'${as}'`;
    return (
      ` This worker loads a module with the caller's tasks as '${as}' (${entry.ref.module}): name ` +
      `yours so on the pool, new Pool({ moduleNames: { ${key}: new URL('<its path>', import.meta.url).href } }) ` +
      `(when the caller bundles that module into another file, the object its defineTasks() call ` +
      `returned: { ${key}: tasks }).`
    );
  }
  return '';
}

/**
 * The local pool's advice for a task that ran out of memory names its own option
 * (`resourceLimits`), which a BullMQ pool refuses: the limit is set on this worker. Same class
 * and fields, with the advice a user of the BullMQ pool can follow.
 */
function workerSideAdvice(error: unknown, limitMb: number | undefined): unknown {
  if (!(error instanceof WorkerCrashedError) || error.reason !== 'out of memory') return error;
  const limit = limitMb === undefined ? 'its limit' : `its limit of ${limitMb} MB`;
  const how = error.signal ? `by ${error.signal}` : `exit code ${error.exitCode}`;
  return new WorkerCrashedError(
    `The local worker running this task in multiproc-worker ran out of memory: its JavaScript heap ` +
      `reached ${limit} and it was stopped (${how}); multiproc-worker replaced it. Raise the limit ` +
      'with multiproc-worker --max-old-space-size <MB> (per local worker), or use less memory per task.',
    {
      exitCode: error.exitCode,
      signal: error.signal,
      reason: 'out of memory',
      ...(error.taskIndex === undefined ? {} : { taskIndex: error.taskIndex }),
      ...(error.cause === undefined ? {} : { cause: error.cause }),
    },
  );
}

async function stopped(
  job: Job,
  token: string | undefined,
  reason: StopReason,
  fields: Record<string, unknown>,
  log: StatusLog,
): Promise<never> {
  if (reason === 'handback') {
    await job.moveToWait(token);
    log.event('job handed back', fields);
    throw new WaitingError();
  }
  log.event('job cancelled', { ...fields, by: reason === 'cancel' ? 'its pool' : 'pool closed or gone' });
  throw new UnrecoverableError(`cancelled (${reason})`);
}

/**
 * The signed result: inline when small, else its bytes go to the result key on the worker's own
 * connection (not BullMQ's, whose lock renewals must not wait behind them) and a reference comes back.
 */
async function sign(
  ctx: ProcessorContext,
  id: string,
  result: ResultPayload,
  job?: Job,
  token?: string,
): Promise<Signed | HeldResult> {
  let bytes: Buffer;
  // Encoding a large result keeps the event loop (and BullMQ's lock renewals) busy: lock kept first.
  if (job) await keepLock(ctx, job, token, roughSize(result));
  try {
    bytes = packBytes(encodeResult(result));
  } catch (error) {
    // What the codec refused comes named; what v8's serializer refused is said as core says it.
    const unsendable =
      error instanceof SerializationError || error instanceof ContextError
        ? error
        : unclonable('result', 'value' in result ? result.value : result, error);
    bytes = packBytes(encodeResult({ ok: false, error: toErrorRecord(unsendable) }));
  }
  if (bytes.length > INLINE_RESULT_MAX) {
    try {
      if (job) await keepLock(ctx, job, token, bytes.length);
      await ctx.hold(id, bytes);
      return signHeld(ctx.signer, ctx.queue, id, bytes);
    } catch (error) {
      const refused = redisRefusal(error, `the result of job ${id} (${bytes.length} bytes)`) ?? error;
      ctx.log.event('redis error', { pool: ctx.queue, job: id, error: describeError(refused) });
      bytes = packBytes(encodeResult({ ok: false, error: toErrorRecord(refused) }));
    }
  }
  return signBody(ctx.signer, 'result', ctx.queue, id, bytes.toString('base64'));
}
