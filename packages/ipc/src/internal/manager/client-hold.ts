/**
 * When a manager connection's socket (client.ts) holds its program open: while a request that needs
 * it waits, while connecting with anything pending (the handshake is finite), and while the answers
 * of waits stuck.ts ended are on the way; an unbounded wait on a manager this thread serves (idle)
 * holds nothing, so an idle proxy never keeps its program alive.
 */
import type net from 'node:net';

/** One connection's count of what holds its loop, and whether its socket is ref'd. */
export class LoopHold {
  #reffed = true;
  // Pending requests that hold the loop, pending idle waits, and idle waits being ended (stuck.ts).
  #refs = 0;
  #idle = 0;
  #answers = 0;
  #activity = 0;
  readonly #quietSent: () => number;

  /** `quietSent`: the connection's pipelined frames sent so far. */
  constructor(quietSent: () => number) {
    this.#quietSent = quietSent;
  }

  /**
   * Requests and pipelined frames sent and answers read so far: stuck.ts ends idle waits only if
   * nothing moved since a sync showed the manager had read all that was sent.
   */
  get activity(): number {
    return this.#activity + this.#quietSent();
  }

  /** Unbounded waits pending that hold no ref (stuck.ts). */
  get idle(): number {
    return this.#idle;
  }

  /** stuck.ts ends `n` idle waits: their answers are on the way. */
  expect(n: number): void {
    this.#answers += n;
  }

  /** A request is sent; `idle`: an unbounded wait on a manager this thread serves. */
  waiting(idle: boolean): void {
    this.#activity++;
    if (idle) this.#idle++;
    else this.#refs++;
  }

  /** A request sent with `idle` was answered. */
  answered(idle: boolean): void {
    this.#activity++;
    if (!idle) this.#refs--;
    else {
      this.#idle--;
      if (this.#answers > 0) this.#answers--;
    }
  }

  /** Refs or unrefs `socket` as `pending` requests (and `connecting`) need. */
  apply(socket: net.Socket | null, pending: number, connecting: boolean): void {
    if (pending === 0) this.#answers = 0;
    const want = pending > 0 && (this.#refs > 0 || this.#answers > 0 || connecting);
    if (socket === null || want === this.#reffed) return;
    this.#reffed = want;
    want ? socket.ref() : socket.unref();
  }

  /** The connection died: nothing is pending. */
  clear(): void {
    this.#refs = this.#idle = this.#answers = 0;
  }
}
