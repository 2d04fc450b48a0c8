/**
 * A pool child's answer that structured clone refuses (a Proxy among a map chunk's results, which
 * the codec passes: it reads like its target). A child answers a batch with `process.send()`
 * (`channel-batches.ts`), which throws there: the child would die and the call fail with
 * WorkerCrashedError. This wraps the send so that such an answer goes instead
 * with the chunk failed by a `SerializationError` (path `result[i]…`, cause a `DataCloneError`), as
 * a thread's does (`Reporter.postMap`), and the worker lives on.
 */
import type { Batch, BatchAnswer, MapReply } from '../internal/batch.js';
import { isCloneRefusal, proxyPath, RESULT_ADVICE, refusedAt } from '../internal/clone-refusal.js';
import { toErrorRecord } from '../internal/error-record.js';

/**
 * A map chunk's reply that structured clone refused (a Proxy among its results: the codec passes
 * it). The chunk ends at the first result holding a Proxy, as at a result the codec refuses
 * (`map-run.ts`): the results before it go back, and a `SerializationError` named at it by its
 * index in the call (`result[5]`, `result[5].x[1]`; `base` is the chunk's first). Without a Proxy
 * to name, the chunk fails whole, at `result`.
 */
export function refusedMap(reply: MapReply, base: number, err: unknown): MapReply {
  const { values, ms } = reply;
  for (let i = 0; !(values instanceof Float64Array) && i < values.length; i++) {
    const at = `result[${base + i}]`;
    if (proxyPath(values[i], at) === undefined) continue;
    const error = toErrorRecord(refusedAt(values[i], at, err, RESULT_ADVICE));
    return { values: values.slice(0, i), encoded: reply.encoded, error, ...(ms === undefined ? {} : { ms }) };
  }
  return {
    values: [],
    encoded: false,
    error: toErrorRecord(refusedAt(undefined, 'result', err, RESULT_ADVICE)),
  };
}

/** The index in its call of the first item of the map chunk this child answers now (see `answering`). */
let mapBase = 0;

/** A child is running `batch`: the answer it sends when it is over is that batch's. */
export function answering(batch: Batch): void {
  const job = batch.jobs[0];
  mapBase = job?.kind === 'map' ? (job.base ?? 0) : 0;
}

/**
 * Wraps this child's IPC send (see the module's comment). Call once, in a pool child. tinypool
 * bound `process.send` before this module loaded, so the wrap is of what both call, Node's
 * `process._send` (as `blockChannel()` in `reporter.ts` reaches Node's channel handle): where a
 * Node has no such method, nothing is wrapped and such a child dies as before.
 */
export function guardReplySends(): void {
  const target = process as unknown as { _send?: (...a: unknown[]) => boolean };
  const send = target._send;
  if (typeof send !== 'function') return;
  target._send = function sendChecked(this: unknown, message: unknown, ...rest: unknown[]): boolean {
    try {
      return send.call(this, message, ...rest);
    } catch (err) {
      // A batch's answer (`channel-batches.ts`): only a map chunk's carries values of the task's.
      const answer = message as Partial<BatchAnswer> | null;
      const map = answer?.__multiproc_answer__ === undefined ? undefined : answer.reply?.map;
      if (!map || !isCloneRefusal(err)) throw err;
      const failed = refusedMap(map, mapBase, err);
      return send.call(this, { ...answer, reply: { ...answer!.reply, map: failed } }, ...rest);
    }
  };
}
