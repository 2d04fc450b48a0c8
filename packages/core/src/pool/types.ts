/** Public types of `Pool` that its own file has no room for. */

/** What `Pool.stats()` reports. */
export interface PoolStats {
  /** Workers alive now. */
  readonly workers: number;
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
