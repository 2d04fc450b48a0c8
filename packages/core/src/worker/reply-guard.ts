/**
 * A pool child's answer that structured clone refuses (a Proxy among a map chunk's results, which
 * the codec passes: it reads like its target). tinypool's child entry answers a batch with
 * `process.send(response)`, which throws there, out of its handler: the child died and the call
 * failed with WorkerCrashedError. This wraps the send so that such an answer goes instead
 * with the chunk failed by a `SerializationError` (path `result…`, cause a `DataCloneError`), as a
 * thread's does (`Reporter.postMap`), and the worker lives on.
 */
import type { MapReply } from '../internal/batch.js';
import { isCloneRefusal, RESULT_ADVICE, refusedAt } from '../internal/clone-refusal.js';
import { toErrorRecord } from '../internal/error-record.js';

/** tinypool's answer to a batch, as its child entry sends it. */
interface Answer {
  readonly __tinypool_worker_message__?: true;
  readonly result?: { map?: MapReply } | null;
}

/**
 * Wraps this child's IPC send (see the module's comment). Call once, in a pool child. tinypool
 * bound `process.send` before this module loaded, so the wrap is of what it calls, Node's
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
      const answer = message as Answer | null;
      const map = answer?.__tinypool_worker_message__ ? answer.result?.map : undefined;
      if (!map || !isCloneRefusal(err)) throw err;
      const error = refusedAt(undefined, 'result', err, RESULT_ADVICE);
      const failed: MapReply = { values: [], encoded: false, error: toErrorRecord(error) };
      return send.call(this, { ...answer, result: { ...answer!.result, map: failed } }, ...rest);
    }
  };
}
