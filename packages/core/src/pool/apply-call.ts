/** One `apply`-style call (`apply`, `applyAsync`): its job, submitted to the dispatcher, and its reply. */
import {
  decodeJson,
  encodeUnsent,
  encodeValue,
  type JsonEncoded,
  type Keeper,
  loadPending,
  type PendingLoad,
  SerializationError,
  secondsHint,
} from '@multiproc/shared';
import { WorkerCrashedError } from '../errors.js';
import type { CallReply, TaskSpec } from '../internal/batch.js';
import { refusedAt, UNSENDABLE_ADVICE } from '../internal/clone-refusal.js';
import { decodeValue, ERRORS_AS_VALUES, errorLoaded } from '../internal/error-record.js';
import { holdsMoved, movedAwayMeanwhile } from '../move.js';
import type { ContextName } from '../options.js';
import type { Dispatcher, Entry } from './dispatcher.js';
import { firstCallHint } from './first-calls.js';
import type { CallerMessages } from './messages.js';
import type { CallOptions } from './options.js';
import { dropEncoded, endEncoded } from './undelivered.js';
import { allPrimitive, beginCall, plain } from './util.js';

/** What a call needs from its pool. */
export interface CallPool {
  readonly dispatcher: Dispatcher;
  readonly messages: CallerMessages;
  readonly context: ContextName;
}

/**
 * Runs `spec(...args)` on a worker; `settled` is told when the call settles, before its promise
 * does. The arguments are encoded now, before the wait for `room` (a full queue) and the queue's
 * wait for a worker: a queue, pipe end or proxy among them gets the call's own copy at once (kept
 * for a second post after a crash), so the caller may close its own right after the call, as
 * Python's parent may. Plain data is not copied here: like Python's, it is read when posted.
 */
export function applyCall(
  pool: CallPool,
  spec: TaskSpec,
  args: unknown[],
  options: CallOptions,
  settled: () => void,
  room?: Promise<void>,
): Promise<unknown> {
  const { dispatcher, context } = pool;
  return new Promise((resolve, reject) => {
    let entry: Entry | undefined;
    let submitted = false;
    // The reservations the call's copies are made from (the codec's keepSymbol), until it settles.
    const kept = new Map<object, Keeper>();
    const giveBack = () => {
      for (const keeper of kept.values()) keeper.release();
      kept.clear();
    };
    let packed: { value: unknown[]; transfer: object[]; encoded: boolean; receiverEnding?: () => void };
    // What the encoding reserved for a worker goes back once no worker will decode it (`Entry.drop`),
    // or when the call is posted again with a new encoding.
    let dropped = false;
    let sent = () => {}; // see `encode`
    const drop = () => {
      // (Called only once `packed` is set: by an abort, a failed wait for room, the dispatcher.)
      sent();
      if (dropped || !packed.encoded) return;
      dropped = true;
      dropEncoded(packed.value);
    };
    // Shared memory among them crosses once the batch is posted to a worker (`Entry.sent`): until
    // then this thread holds it alone, and a blocking wait on it throws rather than hang (`encodeUnsent`).
    const encode = () => {
      const unsent = encodeUnsent(() =>
        encodeValue(args, context, 'args', { ...ERRORS_AS_VALUES, keep: kept, tracksEnding: true }),
      );
      sent = unsent.sent;
      return unsent.value as typeof packed;
    };
    const hold = beginCall(
      options,
      pool.messages,
      (error) => {
        if (entry && submitted) {
          // A running call's worker is recycled: the queues and pipes among its args serve it no more
          // (a call not started yet never reaches a worker, so this stops nothing it needs).
          packed.receiverEnding?.();
          // Its worker is stopped after the call rejected (a job it did not start never runs): the
          // copies count as closed now, so a send on a pipe only it held throws once the call rejected.
          entry.holderEnded?.();
          return dispatcher.abort([entry], error);
        }
        // Still waiting for room: never queued, so it ends here.
        entry = undefined;
        hold.dispose();
        drop();
        giveBack();
        reject(error);
      },
      false,
      (ms) => `The task did not finish within ${ms} ms.${firstCallHint(spec, ms)}${secondsHint(ms)}`,
    );
    if (hold.aborted) return reject(hold.aborted);
    const release = () => {
      hold.dispose();
      giveBack();
      settled();
    };
    try {
      packed = allPrimitive(args) ? plain(args) : encode();
    } catch (error) {
      hold.dispose();
      giveBack();
      return reject(error);
    }
    const job = {
      kind: 'call' as const,
      task: 0,
      args: packed.value,
      encoded: packed.encoded,
      ...(hold.listener === undefined ? {} : { listener: hold.listener }),
    };
    // What a post transferred is gone from here: a Buffer's copy or a queue's port is made again
    // for the next post (after a crash or a hand-back); memory the call move()d cannot be, so such
    // a call goes in a batch of its own, never exposed to another call's crash.
    const moves = packed.transfer.length > 0 && holdsMoved(args);
    let posted = false;
    entry = {
      spec,
      build: () => {
        if (posted && packed.transfer.length > 0) {
          if (moves) throw movedAway();
          // The last post was not started: what it carried is nobody's (a thread's port is closed
          // by the worker it went to, or here when it never left).
          drop();
          packed = encode();
          dropped = false;
          job.args = packed.value;
        }
        // Another call may have moved the same memory while this one waited (alone in its batch).
        const gone = moves ? movedAwayMeanwhile(packed.transfer, args, 'args') : undefined;
        if (gone) throw gone;
        posted = true;
        return { job, transfer: packed.transfer };
      },
      unposted: () => {
        posted = false;
      },
      sent: () => sent(),
      batchable: !hold.abortable && !moves,
      taskIndex: undefined,
      unsent: (error) => refusedAt(args, 'args', error, UNSENDABLE_ADVICE),
      drop,
      holderEnded: () => {
        if (packed.encoded) endEncoded(packed.value);
      },
      held: undefined,
      order: undefined,
      settled: false,
      resolve: (reply) => {
        const r = reply as CallReply;
        // A thread's messages travel on another channel than its reply: deliver them first.
        if (r.sent && hold.listener !== undefined) {
          void pool.messages.delivered(hold.listener, r.sent).then(() => finish(r));
        } else {
          // A child's messages came first; one may wait for its task reference's module.
          const loading = hold.listener === undefined ? undefined : pool.messages.caughtUp(hold.listener);
          if (loading) void loading.then(() => finish(r));
          else finish(r);
        }
      },
      reject: (error) => {
        // A thread that died sent no count of its messages: those it posted before go first.
        if (hold.listener !== undefined && error instanceof WorkerCrashedError) {
          void pool.messages.flushed().then(() => {
            release();
            reject(error);
          });
          return;
        }
        release();
        reject(error);
      },
    };
    function finish(r: CallReply): void {
      release();
      // onMessage threw while the last messages were delivered: the call fails with its error.
      if (hold.failure) reject(hold.failure.error);
      else if (!r.ok) {
        // The references in the error's fields are loaded first, as a result's (errorLoaded()).
        const [error, loading] = errorLoaded(r.error, context);
        if (loading) void loading.then(() => reject(error));
        else reject(error);
      } else if (!r.encoded && !r.json) resolve(r.value);
      else if (r.json) resolve(decodeJson(r.value as JsonEncoded));
      else {
        try {
          // A task reference among the results has its module imported first (Python's unpickling
          // imports it), so the caller can call it; a module that cannot be imported fails the call.
          const loads: PendingLoad[] = [];
          const value = decodeValue(r.value, context, loads);
          const loading = loadPending(loads);
          if (loading) loading.then(() => resolve(value), reject);
          else resolve(value);
        } catch (error) {
          reject(error);
        }
      }
    }
    const submit = () => {
      // Aborted or timed out while it waited for room: the room it was woken for goes to the next.
      if (entry === undefined) return settled();
      submitted = true;
      dispatcher.submit(entry, hold.abortable);
    };
    if (room === undefined) return submit();
    room.then(submit, (error: unknown) => {
      if (entry === undefined) return;
      entry = undefined;
      hold.dispose();
      drop();
      giveBack();
      reject(error);
    });
  });
}

function movedAway(): SerializationError {
  return new SerializationError(
    'args',
    'Cannot send args again: the memory this call move()d went to a worker that stopped before running it. Call again with the data, or pass it without move() to keep a copy here.',
  );
}
