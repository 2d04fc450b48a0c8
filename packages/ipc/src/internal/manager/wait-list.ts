/**
 * The manager server's waiters: FIFO, each with its owner (the client connection that asked) and
 * an optional timeout. One helper for every served primitive (locks, semaphores, events, queues).
 */
import { type AtLeastTimeout, LockError, setTimeoutAtLeast } from '@multiproc/shared';
import { startsLater } from './call-start.js';

/**
 * Runs `f` once the manager's event loop has polled its sockets again (two `setImmediate` turns
 * have a poll between them), so that frames other connections wrote before this answer was asked
 * for are read first. A pipelined release (client.ts) is answered by nobody: a non-blocking
 * acquire, `locked()` or a timeout that would see the lock still held waits for this, which is how
 * a release followed by a signal on another channel (a Queue, a Pipe, an exit) is seen by the
 * process the signal wakes, as Python guarantees.
 */
export function afterPoll<T>(f: () => T): Promise<T> {
  // A call answered so has not taken effect before then: its connection's next call waits (call-start.ts).
  return startsLater(
    new Promise<T>((resolve, reject) =>
      setImmediate(() =>
        setImmediate(() => {
          try {
            resolve(f());
          } catch (err) {
            reject(err);
          }
        }),
      ),
    ),
  );
}

/**
 * The error of a lock, semaphore, event or condition wait that nothing can end (stuck.ts): `call`
 * is what waited (`'Event.wait()'`), `could` what nothing left could do (`'set() it'`), `fix` what
 * to do instead. A `LockError`, as the thread primitives' one (CONTRACT names no other class for it).
 */
export function neverEnds(call: string, could: string, fix: string): LockError {
  return new LockError(
    `${call} can never end: no other thread or process uses this manager and nothing else left in ` +
      `the program could ${could} (a deadlock; Python would block forever). ${fix}, or give a timeout.`,
  );
}

/** Who asked: one client connection (one thread or process). */
export type Owner = number;

/** A timeout as it travels in a request: ms, or -1 for no limit. */
export type WireTimeout = number;

interface Entry<T> {
  readonly owner: Owner;
  readonly resolve: (v: T) => void;
  readonly reject: (e: unknown) => void;
  timer: AtLeastTimeout | null;
  /** Its timeout no longer applies (keepAll): a give-up already scheduled does nothing. */
  kept?: boolean;
}

export class WaitList<T> {
  readonly #entries: Entry<T>[] = [];

  get size(): number {
    return this.#entries.length;
  }

  /**
   * Waits for `wake()`; after `timeoutMs` (-1: never) and one more poll resolves to `onTimeout()`
   * instead. With 0, a waiter that a frame already in a socket wakes gets its wake; such a wait
   * has not started until it ends (call-start.ts): its connection's next call runs after it.
   */
  wait(owner: Owner, timeoutMs: WireTimeout, onTimeout: () => T): Promise<T> {
    const p = new Promise<T>((resolve, reject) => {
      const e: Entry<T> = { owner, resolve, reject, timer: null };
      this.#entries.push(e);
      if (timeoutMs >= 0) {
        // Gives up only after one more poll (see afterPoll), as a wake may already be in a socket.
        const giveUp = () => {
          if (e.kept || !this.#remove(e)) return;
          try {
            resolve(onTimeout());
          } catch (err) {
            reject(err);
          }
        };
        if (timeoutMs === 0) void afterPoll(giveUp);
        else {
          e.timer = setTimeoutAtLeast(() => {
            if (this.#entries.includes(e)) void afterPoll(giveUp);
          }, timeoutMs);
          e.timer.unref(); // the client waiting for the answer keeps its own program alive
        }
      }
    });
    return timeoutMs === 0 ? startsLater(p) : p;
  }

  /**
   * Stops every waiter's timeout: they wait for `wake()` alone (a Barrier's cycle whose action
   * runs: Python's `wait_for` re-reads the state once the action let go of the lock).
   */
  keepAll(): void {
    for (const e of this.#entries) {
      e.timer?.clear();
      e.timer = null;
      e.kept = true;
    }
  }

  /** The owner of the first waiter, or undefined. */
  peek(): Owner | undefined {
    return this.#entries[0]?.owner;
  }

  /** Settles the first waiter with `v`; false when none waits. */
  wake(v: T): boolean {
    const e = this.#entries.shift();
    if (!e) return false;
    e.timer?.clear();
    e.resolve(v);
    return true;
  }

  /** Settles every waiter with `v` (or rejects each with `err`). */
  wakeAll(v: T, err?: unknown): void {
    for (const e of this.#entries.splice(0)) {
      e.timer?.clear();
      err === undefined ? e.resolve(v) : e.reject(err);
    }
  }

  /** Rejects every waiter with `err` (nothing left could wake them: stuck.ts); returns how many. */
  abandon(err: unknown): number {
    const n = this.#entries.length;
    if (n > 0) this.wakeAll(undefined as T, err);
    return n;
  }

  /**
   * Drops the waiters of an owner that is gone (nobody will read their answer; their promises
   * never settle); returns how many.
   */
  dropOwner(owner: Owner): number {
    let dropped = 0;
    for (const e of [...this.#entries]) {
      if (e.owner !== owner) continue;
      this.#remove(e);
      dropped++;
    }
    return dropped;
  }

  has(owner: Owner): boolean {
    return this.#entries.some((e) => e.owner === owner);
  }

  #remove(e: Entry<T>): boolean {
    const i = this.#entries.indexOf(e);
    if (i < 0) return false;
    this.#entries.splice(i, 1);
    e.timer?.clear();
    return true;
  }
}
