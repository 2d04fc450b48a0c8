/**
 * What a job and its result look like in Redis, and what their signatures cover.
 *
 * A job's BullMQ name is the portable task id (`<module name>#<task name>`); its data is
 * {@link JobData}. Its result (BullMQ's return value) and each message a task sends with
 * `sendToCaller()` (BullMQ's job progress) are {@link Signed} bodies. Every signature covers the
 * queue and the job id, so nothing signed can be moved into another pool or job.
 */
import type { ErrorRecord } from './error-record.js';
import type { Signer } from './signing.js';

/** `apply`: body is the argument list; `map`: the items; `star`: one argument list per item. */
export type JobKind = 'apply' | 'map' | 'star';

export interface JobData {
  readonly v: 1;
  readonly kind: JobKind;
  /** The position of the chunk's first item in its call's input (for `taskIndex`). */
  readonly base: number;
  /** Whether the caller listens to `sendToCaller()` messages. */
  readonly msg: boolean;
  readonly body: string;
  readonly sig: string;
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

export function signJob(
  signer: Signer,
  queue: string,
  jobId: string,
  task: string,
  d: Omit<JobData, 'sig' | 'v'>,
) {
  return signer.sign('job', queue, jobId, task, d.kind, String(d.base), d.msg ? '1' : '0', d.body);
}

export function verifyJob(
  signer: Signer,
  queue: string,
  jobId: string,
  task: string,
  data: unknown,
): boolean {
  const d = data as Partial<JobData> | null;
  if (!d || typeof d !== 'object' || d.v !== 1 || typeof d.body !== 'string') return false;
  if (d.kind !== 'apply' && d.kind !== 'map' && d.kind !== 'star') return false;
  if (typeof d.base !== 'number' || typeof d.msg !== 'boolean') return false;
  return signer.verify(d.sig, 'job', queue, jobId, task, d.kind, String(d.base), d.msg ? '1' : '0', d.body);
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
