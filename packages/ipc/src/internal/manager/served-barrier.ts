/**
 * The manager's served Barrier. Python's `threading.Barrier` (which a Python manager serves) runs
 * the action under the barrier's lock, and so does the thread Barrier of @multiproc/shared: nothing
 * reaches the cycle while the action runs. Here an async action lets other calls reach the manager
 * meanwhile, so the calls that arrive while it runs (`wait()`, `reset()`, `abort()`) are held, in
 * order, and take effect once the action has ended (the cycle released, or broken if it threw), as
 * they would once they got Python's lock; and the timeouts of the cycle's parties stop, as Python's
 * `wait_for` re-reads the state once it has the lock back and finds the cycle released.
 */
import { BrokenBarrierError } from '@multiproc/shared';
import { dispatch, type Served } from './served-sync.js';
import { type Owner, WaitList, type WireTimeout } from './wait-list.js';

const BARRIER_METHODS = new Set(['wait', 'reset', 'abort', 'state']);
const PARTY_DIED = 'A party waiting at the barrier died (its thread or process ended).';

/** A manager Barrier's action: run here, in the thread serving the manager (as Python does). */
export type ServedBarrierAction = () => unknown;

/** A call held while the action runs: `owner` is set for a wait (dropped if its owner goes). */
interface Held {
  owner?: Owner;
  run: () => void;
}

export class ServedBarrier implements Served {
  readonly #parties: number;
  readonly #defaultTimeout: WireTimeout;
  readonly #action: ServedBarrierAction | undefined;
  #broken = false;
  #arrived = 0;
  #waiters = new WaitList<number>();
  /** While an async action runs: the calls held until it ends, in arrival order; else null. */
  #held: Held[] | null = null;
  /** While the action runs: what the held `abort()`/`reset()` calls will leave (`state()` reads it). */
  #brokenAfter: boolean | undefined;

  constructor(parties: number, defaultTimeout: WireTimeout, action?: ServedBarrierAction) {
    this.#parties = parties;
    this.#defaultTimeout = defaultTimeout;
    this.#action = action;
  }

  /**
   * What its proxies carry: `parties`, which never changes (read without a round trip), and the
   * default timeout, so a wait without one is known to be bounded.
   */
  get refFields(): { parties: number; timeout?: number } {
    const parties = this.#parties;
    return this.#defaultTimeout >= 0 ? { parties, timeout: this.#defaultTimeout } : { parties };
  }

  invoke(method: string, args: unknown[], owner: Owner): unknown {
    return dispatch(this, BARRIER_METHODS, method, owner, args);
  }

  wait(owner: Owner, timeoutMs: WireTimeout | null): number | Promise<number> {
    const held = this.#held;
    if (held !== null) {
      // It enters once the action has ended, with its whole timeout (Python: it waits for the lock first).
      return new Promise<number>((resolve, reject) => {
        const run = () => {
          try {
            resolve(this.wait(owner, timeoutMs));
          } catch (err) {
            reject(err);
          }
        };
        held.push({ owner, run });
      });
    }
    if (this.#broken) throw new BrokenBarrierError('The barrier is broken: reset() it first.');
    const index = this.#arrived++;
    if (this.#arrived === this.#parties) return this.#pass(index);
    const ms = timeoutMs ?? this.#defaultTimeout;
    return this.#waiters.wait(owner, ms, () => {
      this.abort(owner); // Python: a timeout breaks the barrier for everyone
      throw new BrokenBarrierError('Barrier.wait() timed out; the barrier is now broken.');
    });
  }

  /**
   * The last party arrived: the action runs, then the others are released with their own indexes.
   * A new cycle starts once the action has ended (who arrives meanwhile waits for the next passing).
   */
  #pass(index: number): number | Promise<number> {
    const waiters = this.#waiters;
    waiters.keepAll(); // their timeouts can no longer end this cycle
    this.#waiters = new WaitList<number>();
    this.#arrived = 0;
    const release = () => {
      for (let i = 0; waiters.wake(i); i++);
      return index;
    };
    const failed = (err: unknown): never => {
      // Python: an action that raises breaks the barrier; its party gets the error.
      this.#broken = true;
      waiters.wakeAll(0, new BrokenBarrierError('The barrier action threw; the barrier is now broken.'));
      this.#breakWaiters('The barrier action threw; the barrier is now broken.');
      throw err;
    };
    let result: unknown;
    try {
      result = this.#action?.();
    } catch (err) {
      return failed(err);
    }
    if (!(result instanceof Promise)) return release();
    this.#held = [];
    return result.then(
      () => this.#afterAction(release),
      (err: unknown) => this.#afterAction(() => failed(err)),
    );
  }

  /** The action ended: `settle` releases or breaks its cycle, then the held calls run in order. */
  #afterAction<T>(settle: () => T): T {
    try {
      return settle();
    } finally {
      const held = this.#held ?? [];
      this.#held = null;
      this.#brokenAfter = undefined;
      // A held wait may complete a cycle whose action is async: the rest wait for that one too.
      while (held.length > 0 && this.#held === null) held.shift()!.run();
      if (held.length > 0) (this.#held as Held[] | null)?.push(...held);
    }
  }

  reset(owner: Owner): void {
    if (this.#held !== null) {
      this.#hold(false, () => this.reset(owner));
      return;
    }
    this.#breakWaiters('The barrier was reset while this party waited.');
    this.#broken = false;
  }

  abort(owner: Owner): void {
    if (this.#held !== null) {
      this.#hold(true, () => this.abort(owner));
      return;
    }
    this.#broken = true;
    this.#breakWaiters('The barrier was aborted.');
  }

  /** Holds a reset() or abort() made while the action runs; answered at once, as the thread Barrier's. */
  #hold(broken: boolean, run: () => void): void {
    this.#held!.push({ run });
    this.#brokenAfter = broken;
  }

  state(_owner: Owner): { broken: boolean; nWaiting: number; parties: number } {
    const broken = this.#brokenAfter ?? this.#broken;
    return { broken, nWaiting: this.#waiters.size, parties: this.#parties };
  }

  abandonWaits(): number {
    const n = this.#waiters.size;
    if (n === 0) return 0;
    this.#broken = true;
    this.#breakWaiters(
      'The Barrier could never be passed: no other thread or process uses this manager and nothing ' +
        'else left in the program could bring the other parties to wait(), so it is now broken. ' +
        'Start the parties before waiting; call reset() to reuse it.',
    );
    return n;
  }

  ownerGone(owner: Owner): void {
    // A wait held while the action runs: it breaks the barrier once the action has ended.
    for (const h of this.#held ?? []) {
      if (h.owner !== owner) continue;
      h.owner = undefined;
      h.run = () => {
        this.#broken = true;
        this.#breakWaiters(PARTY_DIED);
      };
    }
    if (!this.#waiters.has(owner)) return;
    this.#waiters.dropOwner(owner);
    this.#broken = true;
    this.#breakWaiters(PARTY_DIED);
  }

  #breakWaiters(message: string): void {
    this.#arrived = 0;
    this.#waiters.wakeAll(0, new BrokenBarrierError(message));
  }
}
