/**
 * A pool's initializer on the host: the spec every batch names, and its arguments, encoded anew
 * for each worker and sent in the first batch posted to it (Python's `initargs` are pickled for
 * each worker too). A queue, pipe end or manager proxy among them is thus that worker's own copy,
 * made as for a task's argument (a thread's by transfer, a child's by a reservation), so a
 * replacement worker (after a crash, after `maxTasksPerChild`) gets a live one, and several
 * workers share the object. A copy is given back once its worker has exited, or when the batch
 * that carried it could not be sent.
 */
import { type EncodeResult, encodeValue } from '@multiproc/shared';
import type { InitSpec } from '../internal/batch.js';
import { toErrorRecord } from '../internal/error-record.js';
import type { ContextName } from '../options.js';
import type { TaskRef } from '../task.js';
import type { Flight } from './outcome.js';

export class PoolInit {
  /** What every batch names: the task and the pool's id. */
  readonly spec: InitSpec;
  readonly #args: unknown[];
  readonly #context: ContextName;

  /**
   * The initializer of a pool, or null without one. Checks `initargs` at once.
   * @throws {SerializationError} naming the path (`initargs[0].cb`) of a part that cannot be sent.
   * @throws {ContextError} for shared memory sent to a `'process'` pool.
   */
  static create(
    ref: TaskRef | undefined,
    initargs: unknown[] | undefined,
    context: ContextName,
    poolId: number,
  ): PoolInit | null {
    return ref ? new PoolInit(ref, initargs ?? [], context, poolId) : null;
  }

  private constructor(ref: TaskRef, args: unknown[], context: ContextName, poolId: number) {
    this.spec = { module: ref.module, taskName: ref.taskName, id: `${process.pid}:${poolId}` };
    this.#args = args;
    this.#context = context;
    // Encoded once to fail the constructor on what cannot be sent; the copies it made go back now.
    this.#encode().receiverEnded();
  }

  /**
   * Adds the arguments, encoded for the worker `flight` is being posted to, to its batch (and what
   * they transfer to its transfer list). Returns what gives their copies back: call it once that
   * worker has exited, or when the batch could not be sent. Never throws: arguments that cannot be
   * encoded any more (a queue closed since) go as the error the worker's initializer fails with.
   */
  give(flight: Flight): () => void {
    let out: EncodeResult<unknown[]>;
    try {
      out = this.#encode();
    } catch (error) {
      // Not the batch's fault: the worker's initializer fails with it (the pool's policy for a
      // failing initializer applies: its calls reject with this error, no endless respawns).
      flight.batch.initArgs = { args: [], encoded: false, error: toErrorRecord(error) };
      return () => {};
    }
    const { value, transfer, encoded, receiverEnded } = out;
    flight.batch.initArgs = { args: value, encoded };
    for (const item of transfer) flight.transfer.push(item);
    return receiverEnded;
  }

  #encode() {
    return encodeValue(this.#args, this.#context, 'initargs', { tracksReceiver: true });
  }
}
