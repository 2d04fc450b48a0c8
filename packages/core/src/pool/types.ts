/** Public types of `Pool` that its own file has no room for. */
import type { TaskArgList, TaskArgs } from '../task.js';

/** What `map` feeds a task: its first parameter (anything, for a task that takes none). */
type ItemOf<F> = TaskArgs<F> extends [] ? unknown : TaskArgs<F>[0];
/** What `map`, `imap` and their variants take: the items, each a task's first argument. */
export type Items<F> = Iterable<ItemOf<F>> | AsyncIterable<ItemOf<F>>;
/** What `starmap` and `starmapAsync` take: the items, each a task's argument list. */
export type ArgLists<F> = Iterable<TaskArgList<F>> | AsyncIterable<TaskArgList<F>>;

/** What `Pool.stats()` reports. */
export interface PoolStats {
  /**
   * Workers alive now, counting those still starting: right after `new Pool()` (before any task),
   * the ones it starts at once (`minProcesses`, by default `processes`), as Python's `Pool()` has
   * started its processes when it returns. Workers the pool stopped and has not replaced yet are
   * not counted; one on its way out (retiring, aborted) is, until it has exited.
   */
  readonly workers: number;
  /**
   * Of `workers`, those still starting: a new thread or child process that has not yet said it is
   * ready for a task (Node is starting it and it loads the pool's worker code). Each takes its first
   * batch once ready (with an `initializer`, the batch that runs it: counted in `busy`). 0 once all are.
   */
  readonly starting: number;
  /** Tasks running now (a worker runs one at a time). */
  readonly busy: number;
  /**
   * Tasks not yet running: waiting for a worker, or handed ahead to a busy worker that has not
   * started them. What `maxQueue` bounds.
   */
  readonly queued: number;
  /** Tasks (calls and map chunks) that succeeded. */
  readonly completed: number;
  /** Tasks that failed, crashed, timed out or were aborted. */
  readonly failed: number;
}
