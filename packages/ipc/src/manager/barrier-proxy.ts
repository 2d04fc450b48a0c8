/**
 * The proxy of a manager's `Barrier`: the thread `Barrier`'s API, each call crossing to the manager.
 */
import type { Timeout } from '@multiproc/shared';
import { proxyRef } from '../internal/manager/server.js';
import { wireTimeout } from '../internal/manager/wire.js';
import { BaseProxy, proxyClass } from './proxy.js';

/** What {@link BarrierProxy.state} reports. */
export interface BarrierState {
  /** Whether the barrier is broken (Python: `broken`). */
  broken: boolean;
  /** How many parties wait now (Python: `n_waiting`). */
  nWaiting: number;
  /** How many parties a cycle needs (Python: `parties`). */
  parties: number;
}

/** Options of a manager's `Barrier()`. */
export interface ManagerBarrierOptions {
  /**
   * Runs once per passing, when the last party arrives, before the others are released (awaited
   * if it returns a Promise), in the program and thread that serve the manager, as Python runs it
   * in the manager's server process: a task reference from `defineTasks()` (or a function of that
   * program). If it throws, the last party's `wait()` rejects with its error and the others with
   * `BrokenBarrierError`: the barrier is broken until `reset()`.
   * @default none
   */
  action?: () => unknown;
  /**
   * The wait of `wait()` without a timeout, in ms; a wait that times out breaks the barrier.
   * @default no limit
   */
  timeout?: number;
}

/**
 * A manager's `Barrier(parties)`. Mirrors Python's `BarrierProxy`. A party that dies while it
 * waits breaks the barrier: the others reject with `BrokenBarrierError`.
 * @example
 * const manager = Manager();
 * const bar = manager.Barrier(1);
 * console.log(await bar.wait()); // 0
 * await manager.shutdown();
 */
export class BarrierProxy extends BaseProxy {
  /**
   * Waits until `parties` have called it; resolves to this party's arrival index. Python: `wait(timeout)`.
   * @throws {BrokenBarrierError} when the barrier is broken, reset, aborted, or times out, or
   *   when nothing could ever bring the other parties (no other thread, process or program uses this
   *   manager, served from this thread, and this program has nothing else left to do): it is then broken.
   */
  async wait(timeout?: Timeout): Promise<number> {
    // Without a timeout the barrier's default applies (the reference carries it): a wait bounded
    // by it times out as Python's; an unbounded one breaks sooner when nothing could ever come.
    const ms =
      timeout === undefined ? (this[proxyRef].timeout ?? null) : wireTimeout(timeout, 'Barrier.wait()');
    return this.waitCall('wait', ms ?? -1, ms === null ? [null] : [ms]) as Promise<number>;
  }
  /** Breaks the waits in progress, then makes the barrier usable again. Python: `reset()`. */
  reset(): Promise<void> {
    return this.callMethod('reset') as Promise<void>;
  }
  /** Breaks the barrier for good (until `reset()`). Python: `abort()`. */
  abort(): Promise<void> {
    return this.callMethod('abort') as Promise<void>;
  }
  /** `{ broken, nWaiting, parties }` now. Python: `broken`, `n_waiting`, `parties`. */
  state(): Promise<BarrierState> {
    return this.callMethod('state') as Promise<BarrierState>;
  }
}
proxyClass('Barrier', BarrierProxy);
