/** JoinableQueue: a Queue whose consumers mark items done. Mirrors Python's `multiprocessing.JoinableQueue`. */
import { registerCodec, ValidationError } from '@multiproc/shared';
import { EOFError } from './errors.js';
import { tooManyArguments } from './internal/arity.js';
import { EOF } from './internal/protocol/item.js';
import { adoptQueue, type QueueData, remoteQueueHandle } from './internal/queue-copy.js';
import { queueName } from './internal/queue-name.js';
import { STUCK } from './internal/runtime/waiter.js';
import { schemaFromData } from './internal/schema.js';
import { joinWaitsForever } from './internal/waits-forever.js';
import { Queue } from './queue.js';

/**
 * A {@link Queue} that counts unfinished tasks: each put() adds one, each taskDone() removes one,
 * and join() waits for none to be left. Mirrors Python's `multiprocessing.JoinableQueue`.
 * With a `schema`, a get() (or getNowait()) that rejects an item with `ValidationError` marks
 * that item done itself, in any thread or process: the caller never received it, so no taskDone()
 * is owed for it (calling one anyway marks another item done).
 * @typeParam T - what get() resolves to: a `schema`'s output type (`z.output`).
 * @typeParam In - what put() takes: a `schema`'s input type (`z.input`); `T` without a schema.
 * @example
 * const jq = new JoinableQueue<string>();
 * await jq.put('job');
 * await jq.get();
 * jq.taskDone();
 * await jq.join(); // resolves: every item was marked done
 */
export class JoinableQueue<T = unknown, In = T> extends Queue<T, In> {
  /** @internal */
  override get [queueName](): string {
    return 'JoinableQueue';
  }

  /**
   * Marks one item got from the queue as done. Python: `task_done()`. Any holder of the queue may
   * call it, for an item any holder got: it counts against the queue's unfinished tasks, not this
   * copy's. In the queue's process (any thread) the count is in shared memory, as Python's
   * semaphore: no round trip. A copy in another process that got more items than it marked done
   * sends the call on its way (no round trip; if another holder marked more items done than it
   * got, the queue's process refuses it as it arrives and this process gets a `MultiprocWarning`,
   * code `MP_TASK_DONE`); otherwise it asks the queue's process synchronously, at most 1 s;
   * unanswered by then, the call counts and the home applies it when it arrives. After the
   * thread or process that made the queue has ended, a copy that shares its count in memory (one
   * handed to a thread of the same process directly) still counts against it, as Python's
   * semaphore outlives its maker; any other copy can no longer reach the count and marks done only
   * the items it got itself and did not mark done yet.
   * @throws {ValidationError} when the queue has no unfinished task: called more times than items
   * were put (Python's ValueError `task_done() called too many times`); after the queue's maker
   * ended, from a copy without the shared count, when called more times than that copy got items.
   * @throws {ClosedError} after this copy's `close()` (Python allows it; here `close()` ends this
   *   copy's use of the queue, as for every queue method: call it before, or from another copy).
   * @example
   * const jq = new JoinableQueue<string>();
   * await jq.put('job');
   * await jq.get();
   * jq.taskDone();
   * try { jq.taskDone(); } catch (err) { if (err instanceof ValidationError) console.log(err.code); } // MP_VALIDATION
   */
  taskDone(): void {
    if (arguments.length > 0) throw tooManyArguments('JoinableQueue.taskDone', arguments.length);
    if (!this.handle.taskDone()) {
      throw new ValidationError(
        'taskDone() was called more times than items were put: no task of this queue is unfinished. ' +
          'Call it once for each item got, in any thread or process (once the thread or process that made ' +
          'the queue has ended, a copy that cannot reach its count marks done only the items it got).',
      );
    }
  }

  /**
   * Resolves once every item put so far has been marked done (or once none was unfinished at some
   * moment since the call, as Python's `join()` wakes when the count reaches zero). Python: `join()`.
   * An item a worker's `put()` returned for counts, also while it is still on its way: with copies
   * of the queue in other processes, join() first asks each of them to confirm that what it sent
   * has arrived (a copy that sends nothing for 1 s meanwhile, its thread blocked, is passed over).
   * @throws {EOFError} when tasks are unfinished and nothing left could mark them done (no other
   * copy of the queue is open in a live worker, and the program has nothing else to do): for
   * example a worker got an item and ended (exited, was killed) before its `taskDone()`. The
   * message says how many items were got and never marked done, and how many are still queued.
   * Python's `join()` blocks forever there.
   * @throws {EOFError} when the process that owns this queue exited first.
   * @throws {ValidationError} when given an argument: Python's `join()` takes no timeout either
   *   (race it with a timer to stop waiting).
   * @throws {ClosedError} after `close()`, and at once when this copy is closed while it waits.
   * @example
   * const jq = new JoinableQueue<number>();
   * await jq.put(1);
   * const done = jq.join();
   * await jq.get();
   * jq.taskDone();
   * await done; // resolves now
   */
  async join(): Promise<void> {
    if (arguments.length > 0) throw tooManyArguments('JoinableQueue.join', arguments.length);
    const r = await this.handle.join();
    if (r !== STUCK && r !== EOF) return; // joined
    const closed = this.closedWhileWaiting('join()');
    if (closed) throw closed;
    if (r === STUCK) {
      const { unfinished, queued } = this.handle.taskCounts();
      throw joinWaitsForever(unfinished, queued);
    }
    throw new EOFError(
      'The process that owns this queue has exited: its tasks can no longer be marked done.',
    );
  }

  /** @internal */
  protected override get joinable(): boolean {
    return true;
  }

  /** @internal */
  protected override get codecType(): string {
    return 'multiproc.JoinableQueue';
  }
}

registerCodec('multiproc.JoinableQueue', (data: QueueData) =>
  adoptQueue(
    () => new JoinableQueue(),
    remoteQueueHandle(data, true),
    data.maxsize,
    schemaFromData(data.schema),
  ),
);
