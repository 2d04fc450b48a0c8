/**
 * Host side of a child's batches (`BatchPost` and `BatchAnswer` in `internal/batch.ts`). tinypool's
 * child_process runtime forwards a task through a MessagePort of its own before `child.send()`,
 * and an answer back the same way: every argument and map result was cloned once more on the host
 * (a 16 MiB argument: ~13 ms of host CPU per call, on top of the send's own copy). So the adapter
 * sends the batch on the child's channel itself as tinypool posts it, and tinypool carries only its
 * `seq`; the child answers likewise, ahead of the small answer tinypool carries. One channel
 * carries both, in order, so each arrives before what names it. tinypool still decides where and
 * when a batch runs, and sees every death and answer as before.
 *
 * tinypool's task (the `seq`) reaches the child through a MessagePort of the host's own, whose
 * listener sends it on (`child.send()`) on a later turn of the event loop: a caller that blocks
 * right after the call (a file it waits for the task to write) would wait for ever, the child never
 * told to start. {@link ChildBatches.relayed} takes it off that port at once and hands it to that
 * very listener (`port.emit`), so a batch posted to an idle child leaves with the call, as in
 * Python. Nothing of tinypool's message is re-made here; a port with no listener is left alone.
 */
import type { ChildProcess } from 'node:child_process';
import { type MessagePort, receiveMessageOnPort } from 'node:worker_threads';
import { ProcessError } from '@multiproc/shared';
import type { AnsweredBatch, BatchAnswer, BatchPost, BatchReply, PostedBatch } from '../internal/batch.js';
import type { Flight } from './outcome.js';
import { postedEmpty } from './unposted.js';

/** tinypool's child worker, as far as {@link ChildBatches.relayed} reads it. */
interface RelayingWorker {
  /** The port whose messages tinypool's listener sends on to the child (set as the child starts). */
  readonly port?: MessagePort;
}

export class ChildBatches {
  /** Answers received whose tinypool task has not resolved yet, by `seq`. */
  readonly #answers = new Map<number, BatchReply>();
  /**
   * The flight whose tinypool task is being run ({@link relayed}), and the worker tinypool posted it
   * to in that very call. Set only for that call: a flight tinypool posts later, from its queue (its
   * workers were busy), is not relayed, and kept here it would hold, through its entries' promises,
   * the results of its call long after the caller dropped them (until the pool's next post).
   */
  #relaying: Flight | undefined;
  #postedTo: RelayingWorker | undefined;

  /** What tinypool carries for `flight`. */
  taskOf(flight: Flight): PostedBatch {
    return { posted: flight.batch.seq };
  }

  /**
   * Sends `flight`'s batch to `child`, as tinypool posts its task there (from `setChannel()`). A
   * refused value sends it empty instead (true then, see `unposted.ts`), or throws to tinypool, as
   * its own postMessage would, when even that fails; a failed write (the child is dying) goes to
   * the callback: an 'error' on the child would read to tinypool as its death.
   */
  post(child: ChildProcess, flight: Flight, worker: object): boolean {
    if (flight === this.#relaying) this.#postedTo = worker as RelayingWorker;
    const send = () => {
      const post: BatchPost = { __multiproc_post__: flight.batch.seq, batch: flight.batch };
      child.send(post, () => {});
    };
    try {
      send();
      return false;
    } catch (error) {
      if (postedEmpty(flight, error, send)) return true;
      throw error;
    }
  }

  /**
   * Runs `flight`'s tinypool task (`post`, given what tinypool carries): if tinypool posted it to a
   * child at once, what it posted for that child goes on now (its task, behind the batch on the one
   * channel), as tinypool's port listener would send it a turn later (see the header). Resolves
   * with the answer the task stands for.
   */
  relayed(flight: Flight, post: (task: PostedBatch) => Promise<unknown>): Promise<BatchReply> {
    let run: Promise<unknown>;
    let port: MessagePort | undefined;
    this.#relaying = flight;
    try {
      run = post(this.taskOf(flight));
      port = this.#postedTo?.port;
    } finally {
      this.#relaying = this.#postedTo = undefined;
    }
    if (port && port.listenerCount('message') > 0)
      for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port))
        port.emit('message', m.message);
    return run.then((r) => this.answerOf(flight, r as AnsweredBatch));
  }

  /** Keeps `message` if it is a batch's answer; false when it is something else. */
  receive(message: unknown): boolean {
    const seq = (message as Partial<BatchAnswer> | null)?.__multiproc_answer__;
    if (seq === undefined) return false;
    this.#answers.set(seq, (message as BatchAnswer).reply);
    return true;
  }

  /** The answer a child's tinypool task resolved with stands for. */
  answerOf(flight: Flight, resolved: AnsweredBatch): BatchReply {
    const reply = this.#answers.get(resolved.answered);
    this.#answers.delete(resolved.answered);
    if (!reply) throw new ProcessError(`The answer to batch ${flight.batch.seq} never arrived.`);
    return reply;
  }

  /**
   * `flight`'s tinypool task failed: the answer its child sent before it died, if it did (read
   * once the child's channel closed), taken from here.
   */
  take(flight: Flight): BatchReply | undefined {
    const reply = this.#answers.get(flight.batch.seq);
    this.#answers.delete(flight.batch.seq);
    return reply;
  }
}
