/**
 * Worker side of a child's batches (`BatchPost` and `BatchAnswer` in `internal/batch.ts`): the host
 * sends each batch on this child's IPC channel itself, and tinypool hands the pool entry only its
 * `PostedBatch`, which the channel delivers after the batch; the answer goes the same way back,
 * ahead of the `AnsweredBatch` tinypool sends. Each copy of a big argument or result is one
 * `process.send()`, as with a bare fork.
 */
import { ProcessError } from '@multiproc/shared';
import type {
  AnsweredBatch,
  Batch,
  BatchAnswer,
  BatchPost,
  BatchReply,
  PostedBatch,
} from '../internal/batch.js';

/** Batches received and not yet handed to the entry, by `seq` (one at a time in practice). */
const received = new Map<number, Batch>();

/** Listens for the host's batches. Call once, in a pool child, before it is ready. */
export function listenForPosts(): void {
  process.on('message', (message: BatchPost) => {
    if (message?.__multiproc_post__ !== undefined) received.set(message.__multiproc_post__, message.batch);
  });
}

const VALUE_OF = Symbol.for('Tinypool.valueOf');

type RunBatch = (batch: Batch) => BatchReply | Promise<BatchReply>;

/**
 * tinypool's handler in a child: runs the batch a `PostedBatch` names with `run`, and answers it.
 * The batch starts a microtask later: Node emits each message of one read from the channel in a
 * `nextTick` of its own, and microtasks run once those are done, so a cancel the host sent in the
 * same turn as the batch (an abort right after the call) is seen before any job is claimed.
 */
export function overChannel(run: RunBatch): (task: PostedBatch) => Promise<AnsweredBatch> {
  return async (task) => {
    const batch = received.get(task.posted);
    // One channel carries both, the batch first: only a host that broke that order gets here.
    if (!batch) throw new ProcessError(`Batch ${task.posted} never reached this worker before its turn.`);
    received.delete(task.posted);
    await undefined;
    return answer(batch.seq, await run(batch));
  };
}

function answer(seq: number, reply: BatchReply): AnsweredBatch | Promise<never> {
  // A reply wrapped for a thread's transfer (pool-entry's `withTransfer`) goes as the reply itself.
  const plain = ((reply as unknown as Record<symbol, unknown>)[VALUE_OF] ?? reply) as BatchReply;
  const message: BatchAnswer = { __multiproc_answer__: seq, reply: plain };
  try {
    process.send!(message);
  } catch (err) {
    // As when tinypool's own send of an answer throws (out of its handler): the child dies of it.
    process.nextTick(() => {
      throw err;
    });
    return new Promise<never>(() => {});
  }
  return { answered: seq };
}
