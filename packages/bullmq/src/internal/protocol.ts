/**
 * What a job and its result look like in Redis, and what their signatures cover.
 *
 * A job's BullMQ name is the portable task id (`<module name>#<task name>`); its data is
 * {@link JobData}, its body packed by `wire.ts`. Its result (BullMQ's return value) and each message a task sends with
 * `sendToCaller()` (BullMQ's job progress) are {@link Signed} bodies. Every signature covers the
 * queue and the job id, so nothing signed can be moved into another pool or job.
 *
 * A result larger than {@link INLINE_RESULT_MAX} bytes does not travel in the return value (which
 * BullMQ copies into the queue's event stream, read by one blocking XREAD with a watchdog): the
 * worker stores its bytes in {@link resultKey} and returns a {@link HeldResult}; the pool reads
 * that key once and deletes it.
 */
import { WorkerCrashedError } from '@multiproc/core';
import { VersionMismatchError } from '../errors.js';
import type { ErrorRecord } from './error-record.js';
import type { Signer } from './signing.js';

/** `apply`: body is the argument list; `map`: the items; `star`: one argument list per item. */
export type JobKind = 'apply' | 'map' | 'star';

export interface JobData {
  /** The wire format (`WIRE_FORMAT` of `wire.ts`); not signed, so a worker can name a mismatch. */
  readonly v: number;
  readonly kind: JobKind;
  /** The position of the chunk's first item in its call's input (for `taskIndex`). */
  readonly base: number;
  /** Whether the caller listens to `sendToCaller()` messages. */
  readonly msg: boolean;
  /** The fingerprint of the task's module (`tasksFingerprint`), '' when the caller knows none. */
  readonly mod: string;
  /** The packed payload as base64 text; '' when its bytes are held in {@link argsKey} (`held`). */
  readonly body: string;
  /** The size in bytes of a payload held in {@link argsKey} (jobs of {@link HELD_ARGS_FORMAT}). */
  readonly held?: number;
  readonly sig: string;
}

/**
 * The wire format of a job whose payload is larger than {@link INLINE_ARGS_MAX} bytes: its bytes
 * wait in {@link argsKey}, not in the job's data, which BullMQ's scripts copy and its worker parses
 * before the task starts (a 100 MB payload inline kept the worker's event loop busy for seconds,
 * past a short job lock: the job was taken back as stalled while it ran). A worker of format 2
 * refuses such a job as from a newer pool (VersionMismatchError), not as a forged one.
 */
export const HELD_ARGS_FORMAT = 3;

/** The largest payload (packed bytes) that travels inside the job's data. */
export const INLINE_ARGS_MAX = 64 * 1024;

/** The key holding the bytes of job `jobId`'s payload (under the queue, so the pool's sweep deletes it). */
export function argsKey(prefix: string, queue: string, jobId: string): string {
  return `${prefix}:${queue}:args:${jobId}`;
}

export interface Signed {
  readonly body: string;
  readonly sig: string;
}

/** What a worker sends back, packed into a {@link Signed} body. */
export type ResultPayload =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: true; readonly values: unknown[]; readonly ms: number }
  | { readonly ok: false; readonly error: ErrorRecord; readonly values?: unknown[]; readonly ms?: number };

/** A result held in {@link resultKey}: its size in bytes and the signature of those bytes. */
export interface HeldResult {
  readonly held: number;
  readonly sig: string;
}

/** The largest result (v8-serialized bytes) that travels inside the job's return value. */
export const INLINE_RESULT_MAX = 64 * 1024;

/** How long a held result waits in Redis for its pool (ms): a safety net, the pool deletes it on read. */
export const HELD_RESULT_TTL_MS = 3_600_000;

/** The key holding the bytes of job `jobId`'s result (under the queue, so the pool's sweep deletes it). */
export function resultKey(prefix: string, queue: string, jobId: string): string {
  return `${prefix}:${queue}:result:${jobId}`;
}

export function signHeld(signer: Signer, queue: string, jobId: string, bytes: Uint8Array): HeldResult {
  return { held: bytes.length, sig: signer.sign('held', queue, jobId, bytes) };
}

export function isHeld(value: unknown): value is HeldResult {
  const h = value as Partial<HeldResult> | null;
  return !!h && typeof h === 'object' && typeof h.held === 'number' && typeof h.sig === 'string';
}

export function verifyHeld(
  signer: Signer,
  queue: string,
  jobId: string,
  held: HeldResult,
  bytes: Uint8Array,
): boolean {
  return bytes.length === held.held && signer.verify(held.sig, 'held', queue, jobId, bytes);
}

/** The signature of a job: over its payload's text, or over its held bytes (`held`). */
export function signJob(
  signer: Signer,
  queue: string,
  jobId: string,
  task: string,
  d: Omit<JobData, 'sig' | 'v' | 'held'>,
  held?: Uint8Array,
) {
  const body = held ?? d.body;
  return signer.sign('job', queue, jobId, task, d.kind, String(d.base), d.msg ? '1' : '0', d.mod, body);
}

export function verifyJob(
  signer: Signer,
  queue: string,
  jobId: string,
  task: string,
  data: unknown,
  held?: Uint8Array,
): boolean {
  const d = data as Partial<JobData> | null;
  if (!d || typeof d !== 'object' || typeof d.v !== 'number' || typeof d.body !== 'string') return false;
  if (d.kind !== 'apply' && d.kind !== 'map' && d.kind !== 'star') return false;
  if (typeof d.base !== 'number' || typeof d.msg !== 'boolean' || typeof d.mod !== 'string') return false;
  if (held !== undefined && held.length !== d.held) return false;
  const { kind, base, msg, mod } = d;
  const body = held ?? d.body;
  return signer.verify(d.sig, 'job', queue, jobId, task, kind, String(base), msg ? '1' : '0', mod, body);
}

export function signBody(
  signer: Signer,
  kind: 'result' | 'message',
  queue: string,
  jobId: string,
  body: string,
): Signed {
  return { body, sig: signer.sign(kind, queue, jobId, body) };
}

export function verifyBody(
  signer: Signer,
  kind: 'result' | 'message',
  queue: string,
  jobId: string,
  signed: unknown,
): signed is Signed {
  const s = signed as Partial<Signed> | null;
  return (
    !!s &&
    typeof s === 'object' &&
    typeof s.body === 'string' &&
    signer.verify(s.sig, kind, queue, jobId, s.body)
  );
}

/**
 * How a worker of wire format 1 refuses a job it cannot verify (every job of a later format: it
 * knows only `v: 1`). A worker of a later format names its format in that message.
 */
const OLD_WORKER_REFUSAL =
  /^AuthenticationError: job \S+ is not signed with the worker's secret; it did not run/;

/**
 * The error of a job that failed in BullMQ itself (`failedReason`): our workers return task errors
 * as signed results, so it lost its worker more often than allowed (the stalled limit) or a worker
 * refused it, which a worker of wire format 1 does with every job of this format.
 */
export function failedJobError(id: string, task: string, reason: string): Error {
  if (OLD_WORKER_REFUSAL.test(reason)) {
    return new VersionMismatchError(
      `Job ${id} (${task}) was refused by a worker of an older @multiproc/bullmq, which cannot read ` +
        "this pool's jobs and takes them for forged ones; it did not run. Upgrade @multiproc/bullmq " +
        'on every worker to the version of this pool.',
    );
  }
  return new WorkerCrashedError(
    `Job ${id} (${task}) failed on the worker side: ${reason}. Its worker may have died ` +
      '(see the worker option --max-stalled-count).',
    { exitCode: null, signal: null },
  );
}
