/**
 * The proxy of a manager's `Barrier`: the thread `Barrier`'s API, each call crossing to the manager.
 */
import { ContextError, type Timeout } from '@multiproc/shared';
import { refuseExtraArguments } from '../internal/manager/arity.js';
import { noSyncWait } from '../internal/manager/no-sync.js';
import { proxyRef } from '../internal/manager/server.js';
import { callOrReject, wireTimeout } from '../internal/manager/wire.js';
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
  action?: (() => unknown) | null | undefined;
  /**
   * The wait of `wait()` without a timeout, in ms; a wait that times out breaks the barrier.
   * @default no limit
   */
  timeout?: number | null | undefined;
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
   * A timeout that expires while the last party's async action runs does not end the wait: the
   * party passes with the others once the action returns (Python: `wait_for` looks again once the
   * action let go of the lock). A wait made while an action runs enters the next cycle after it,
   * its `timeout` (ms) counting from then.
   * @throws {BrokenBarrierError} when the barrier is broken, reset, aborted, or times out, or
   *   when nothing could ever bring the other parties (no other thread, process or program uses this
   *   manager, served from this thread, and this program has nothing else left to do): it is then broken.
   */
  wait(timeout?: Timeout): Promise<number> {
    return callOrReject(() => {
      // Without a timeout the barrier's default applies (the reference carries it): a wait bounded
      // by it times out as Python's; an unbounded one breaks sooner when nothing could ever come.
      const ms =
        timeout === undefined ? (this[proxyRef].timeout ?? null) : wireTimeout(timeout, 'Barrier.wait()');
      return this.waitCall('wait', ms ?? -1, ms === null ? [null] : [ms]) as Promise<number>;
    });
  }
  /**
   * Not here: blocking this thread cannot wait for the manager's answer. Use `await bar.wait(timeout)`.
   * @throws {ContextError} always, saying so.
   */
  waitSync(_timeout?: Timeout): never {
    throw noSyncWait('Barrier', 'waitSync', 'await bar.wait(timeout)');
  }
  /**
   * Breaks the waits in progress, then makes the barrier usable again. Python: `reset()`. Made
   * while an async action runs, it takes effect once the action has ended (that cycle passes, or
   * breaks if the action throws), as Python's, which waits for the barrier's lock.
   */
  reset(): Promise<void> {
    return this.callMethod('reset') as Promise<void>;
  }
  /**
   * Breaks the barrier for good (until `reset()`). Python: `abort()`. Made while an async action
   * runs, it takes effect once the action has ended: that cycle passes, later waits are broken.
   */
  abort(): Promise<void> {
    return this.callMethod('abort') as Promise<void>;
  }
  /**
   * `{ broken, nWaiting, parties }` now, in one round trip. Python: `broken`, `n_waiting`, `parties`.
   * @example
   * const bar = Manager().Barrier(2);
   * const { broken, nWaiting } = await bar.state(); // false 0
   */
  state(): Promise<BarrierState> {
    return this.callMethod('state') as Promise<BarrierState>;
  }
  /**
   * How many parties a cycle needs: fixed at creation, so readable at once. Python: `parties`.
   * @example
   * console.log(Manager().Barrier(3).parties); // 3
   */
  get parties(): number {
    const n = this[proxyRef].parties;
    if (n === undefined) throw noStateProperty('parties');
    return n;
  }
  /**
   * Not readable here: the state lives in the manager, so reading it is a round trip. Use
   * `(await bar.state()).broken`. (A thread `Barrier`'s `.broken` works, as it reads shared memory.)
   * Python: `broken`.
   * @throws {ContextError} always, saying so.
   */
  get broken(): never {
    throw noStateProperty('broken');
  }
  /**
   * Not readable here: use `(await bar.state()).nWaiting`. Python: `n_waiting`.
   * @throws {ContextError} always, saying so.
   */
  get nWaiting(): never {
    throw noStateProperty('nWaiting');
  }
}

const noStateProperty = (name: string): ContextError =>
  new ContextError(
    `A manager's (or getContext('process')'s) Barrier keeps its state in another process: read ` +
      `\`.${name}\` with \`(await bar.state()).${name}\`; \`.${name}\` works on a thread Barrier only.`,
  );
proxyClass('Barrier', BarrierProxy);
refuseExtraArguments(BarrierProxy.prototype, 'Barrier');
