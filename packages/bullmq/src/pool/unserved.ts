/**
 * The word a pool says when nobody serves it. Python's manager client fails at once when no server
 * listens (`ConnectionRefusedError`) or the authkey differs (`AuthenticationError`); a BullMQ pool
 * cannot tell a worker that is not there yet from one that never comes, and its jobs wait in Redis
 * for whichever worker starts later. So its calls are not failed: once jobs have waited
 * `noWorkerWarning` ms with no worker attached, the pool emits one process warning
 * (`ProcessWarning`, code `MP_NO_WORKER`) saying what to check.
 */

/** The warning's code, for `process.on('warning', (w) => w.code === NO_WORKER_CODE)`. */
export const NO_WORKER_CODE = 'MP_NO_WORKER';

import type { Registry } from '../internal/registry.js';
import type { Signer } from '../internal/signing.js';

/** What the message names. */
export interface UnservedFacts {
  /** Where Redis is, without credentials. */
  readonly label: string;
  readonly prefix: string;
  /** How long jobs have waited unserved, in ms. */
  readonly waitedMs: number;
  /** Live `multiproc-worker` processes registered under the prefix (serving other pools, if any). */
  readonly workersOnPrefix: number;
  /** A worker holding this pool's secret that refused to join the prefix: when, and why. */
  readonly refusal?: Refusal;
}

/** A worker's refusal to join the prefix, as it noted it (`worker/join.ts`). */
export interface Refusal {
  readonly worker: string;
  readonly at: number;
  readonly text: string;
}

/** The warning's text: what happened, the likely cause, and what to do. */
export function noWorkerMessage(f: UnservedFacts): string {
  const seconds = Math.round(f.waitedMs / 100) / 10;
  const where = `with prefix '${f.prefix}' on Redis at ${f.label}`;
  const r = f.refusal;
  const cause = r
    ? `a multiproc-worker holding this pool's secret (${r.worker}) refused to start ${where} ` +
      `${Math.max(0, Math.round((Date.now() - r.at) / 1000))} s ago: ${r.text} Until that is fixed, ` +
      "no worker may serve this pool's tasks."
    : f.workersOnPrefix === 0
      ? `no multiproc-worker is running ${where}. Start one with the same Redis, prefix and secret ` +
        `(MULTIPROC_SECRET=<the pool's secret> multiproc-worker --redis ${f.label} --prefix ${f.prefix} ` +
        '--tasks <your task modules>).'
      : `${f.workersOnPrefix} multiproc-worker process(es) run ${where} but none serves this pool: they ` +
        "hold another secret than this pool's (a worker ignores every pool signed with another secret, " +
        "and says so in a 'pool ignored' status line). Give the pool and the workers the same secret " +
        '(MULTIPROC_SECRET).';
  const waited = r ? "This pool's jobs wait" : `This pool's jobs have waited ${seconds} s`;
  return (
    `${waited} and no worker serves it: ${cause} ` +
    'The calls go on waiting (their jobs stay queued in Redis until a worker serves them or the pool ' +
    "ends); give a call a timeout to bound its wait. Said once per pool: the pool's noWorkerWarning " +
    'option sets after how long (ms), false turns it off.'
  );
}

/** Watches, heartbeat by heartbeat, whether jobs wait with no worker; warns once. */
export class UnservedWatch {
  readonly #afterMs: number | undefined;
  #since: number | undefined;
  #done: boolean;

  /** Whether the warning may still come. */
  get armed(): boolean {
    return !this.#done;
  }

  /** How long (ms) jobs have waited unserved so far. */
  waited(now = Date.now()): number {
    return this.#since === undefined ? 0 : now - this.#since;
  }

  /** The warning came (for a refusal, before the bound): not again. */
  settle(): void {
    this.#done = true;
  }

  /** `afterMs`: the `noWorkerWarning` option (`undefined`: never warn). */
  constructor(afterMs: number | undefined) {
    this.#afterMs = afterMs;
    this.#done = afterMs === undefined;
  }

  /**
   * One heartbeat's view: whether jobs are out and whether any worker serves the pool. Returns how
   * long (ms) jobs have waited unserved once that reaches the bound (only the first time), else
   * `undefined`.
   */
  check(waiting: boolean, served: boolean, now = Date.now()): number | undefined {
    if (this.#done) return undefined;
    if (!waiting || served) {
      this.#since = undefined;
      return undefined;
    }
    this.#since ??= now;
    const waited = now - this.#since;
    if (waited < this.#afterMs!) return undefined;
    this.#done = true;
    return waited;
  }
}

/** Emits the warning. */
export function warnNoWorker(facts: UnservedFacts): void {
  process.emitWarning(noWorkerMessage(facts), { type: 'ProcessWarning', code: NO_WORKER_CODE });
}

/**
 * The refusal a worker holding this pool's secret noted when it could not join the prefix (its
 * tasks differ from a live worker's), or `undefined`: none, or not signed with this secret.
 */
export async function readRefusal(registry: Registry, signer: Signer): Promise<Refusal | undefined> {
  const text = await registry.refusal();
  if (text === null) return undefined;
  try {
    const r = JSON.parse(text) as Partial<Refusal> & { sig?: unknown };
    if (typeof r.worker !== 'string' || typeof r.at !== 'number' || typeof r.text !== 'string')
      return undefined;
    const signed = signer.verify(r.sig, 'refused', registry.keys.prefix, r.worker, String(r.at), r.text);
    return signed ? { worker: r.worker, at: r.at, text: r.text } : undefined;
  } catch {
    return undefined;
  }
}
