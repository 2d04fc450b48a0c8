/**
 * A pool's initializer on the host: the spec every batch names, and its arguments, encoded anew
 * for each worker and sent in the first batch posted to it (Python's `initargs` are pickled for
 * each worker too). A queue, pipe end or manager proxy among them is thus that worker's own copy,
 * made as for a task's argument (a thread's by transfer, a child's by a reservation), so a
 * replacement worker (after a crash, after `maxTasksPerChild`) gets a live one, and several
 * workers share the object. A copy is given back once its worker has exited, or when the batch
 * that carried it could not be sent.
 *
 * The queues and pipe ends are kept from the constructor on (the codec's `keepSymbol`): the pool
 * holds a reservation of its own on each, from which every worker's copy is made, so the caller
 * may close its own handle right after `new Pool()` (Python's `q.close()` closes only the
 * parent's end). The reservations count as handles until the pool's workers are gone.
 */
import { type EncodeResult, encodeValue, type Keeper } from '@multiproc/shared';
import type { InitSpec } from '../internal/batch.js';
import { ERRORS_AS_VALUES, toErrorRecord } from '../internal/error-record.js';
import type { ContextName } from '../options.js';
import type { TaskRef } from '../task.js';
import type { Flight } from './outcome.js';

export class PoolInit {
  /** What every batch names: the task and the pool's id. */
  readonly spec: InitSpec;
  readonly #args: unknown[];
  readonly #context: ContextName;
  /** The reservation kept for each queue or pipe end among the arguments, by object. */
  readonly #kept = new Map<object, Keeper>();

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
    // Encoded once to fail the constructor on what cannot be sent (and to keep the ipc objects);
    // the copies it made go back now.
    try {
      this.#encode().receiverEnded();
    } catch (error) {
      this.release();
      throw error;
    }
  }

  /** Gives up the reservations kept for the arguments: call it once the pool's workers are gone. */
  release(): void {
    for (const keeper of this.#kept.values()) keeper.release();
    this.#kept.clear();
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
    // An error among them arrives as a task's argument does (its class, own fields, `errors`).
    return encodeValue(this.#args, this.#context, 'initargs', {
      ...ERRORS_AS_VALUES,
      tracksReceiver: true,
      keep: this.#kept,
    });
  }
}
