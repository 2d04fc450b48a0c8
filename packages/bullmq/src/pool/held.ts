/**
 * The pool's side of payloads and results too large to travel inside a job: a payload larger than
 * `INLINE_ARGS_MAX` bytes waits in its own key (`argsKey`) from before its job is added until the
 * job settles; a result larger than `INLINE_RESULT_MAX` is read from its key, then deleted.
 */
import type { JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { argsKey, type JobData, type JobKind, type ResultPayload } from '../internal/protocol.js';

/** One job to submit. */
export interface JobSpec {
  readonly id: string;
  readonly task: string;
  readonly kind: JobKind;
  readonly base: number;
  /** The arguments or items, packed (`packPayload`). */
  readonly body: Buffer;
  readonly onMessage: ((value: unknown) => void) | undefined;
  /** The fingerprint of the task's module (see `tasksFingerprint`). */
  readonly mod: string;
}

export interface Pending {
  readonly task: string;
  readonly onMessage: ((value: unknown) => void) | undefined;
  readonly resolve: (result: ResultPayload) => void;
  readonly reject: (error: unknown) => void;
  /** Whether its payload waits in its own key (`argsKey`), deleted once the job settles. */
  readonly held: boolean;
  active: boolean;
  /**
   * `true` once added to the queue, `false` once its outcome was read (a held result may still be
   * read from its key): while `true`, `gone-jobs.ts` looks whether it was removed.
   */
  out?: boolean;
}

export interface BulkJob {
  name: string;
  data: JobData;
  opts: JobsOptions;
  /** A large payload's bytes, stored in `argsKey` before the job is added. */
  held?: Buffer;
}

/** Stores the payloads of `jobs` (id and bytes), each in its `argsKey`, in one round trip. */
export async function storePayloads(
  client: Redis,
  prefix: string,
  queue: string,
  jobs: readonly { readonly id: string; readonly bytes: Buffer }[],
): Promise<void> {
  // A pipeline, not MULTI: a refusal (Redis out of memory) comes as its own error, not EXECABORT.
  const pipeline = client.pipeline();
  for (const { id, bytes } of jobs) pipeline.set(argsKey(prefix, queue, id), bytes);
  const replies = await pipeline.exec();
  const refused = replies?.find(([error]) => error)?.[0];
  if (refused) throw refused;
}

/** Deletes the payload of a settled job (best effort: the pool's sweep deletes what is left). */
export function dropPayload(client: Promise<Redis>, prefix: string, queue: string, id: string): void {
  client.then((c) => c.del(argsKey(prefix, queue, id))).catch(() => {});
}

/**
 * The bytes of a held result, its key deleted before they are returned; null when the key is gone.
 * The delete follows the read's reply, never rides with the read: a client sends the commands a
 * dropped connection left unanswered again once it reconnects, so a read that deleted (`MULTI GET
 * DEL`, `GETDEL`) and whose reply was lost would find nothing the second time, though Redis kept
 * its data. A delete that fails is left to the pool's sweep.
 */
export async function takeResult(client: Redis, key: string): Promise<Buffer | null> {
  const bytes = await client.getBuffer(key);
  if (bytes !== null) await client.del(key).catch(() => {});
  return bytes;
}
