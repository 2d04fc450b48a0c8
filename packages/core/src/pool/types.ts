/** Public types of `Pool` that its own file has no room for. */

/** What `Pool.stats()` reports. */
export interface PoolStats {
  /** Workers alive now. */
  readonly workers: number;
  /** Tasks running or handed to a worker. */
  readonly busy: number;
  /** Tasks waiting for a worker. */
  readonly queued: number;
  /** Tasks (calls and map chunks) that succeeded. */
  readonly completed: number;
  /** Tasks that failed, crashed, timed out or were aborted. */
  readonly failed: number;
}
