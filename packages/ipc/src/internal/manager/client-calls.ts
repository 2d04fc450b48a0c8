/**
 * A manager connection's requests waiting for their answers (client.ts), by sequence number, and
 * how an answer settles one: its value, or its error record as the error the manager's call threw.
 */
import { resolveAfterOutput } from '../link/output-order.js';
import type { Pipelining } from './client-pipeline.js';
import { FAILED, GRANTED } from './rpc.js';
import { decodeAnswer } from './rpc-read.js';
import { type ErrorRecord, fromRecord, withCallerStack } from './wire.js';

/** A request waiting for its answer. */
export interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
  /** The object an `acquire` is for (an answer true counts as held), or -1. */
  holds: number;
  /** The object a WRITE registers this connection as a pipelining writer of, or -1. */
  writes: number;
  /** Pipelined frames sent before this request: its answer shows the manager read them. */
  quietBefore: number;
  /** An unbounded wait on a manager this thread serves: it holds no ref (stuck.ts). */
  idle: boolean;
  /** The object called, and the mark of this call (client-data-lease.ts, DataLeases.touch). */
  id: number;
  mark: number;
}

/** One connection's requests waiting for their answers. */
export class PendingCalls {
  readonly #pending = new Map<number, Pending>();

  get size(): number {
    return this.#pending.size;
  }

  /** Request `seq` was made: the promise of its answer. */
  add(
    seq: number,
    holds: number,
    writes: number,
    quietBefore: number,
    idle: boolean,
    id: number,
    mark: number,
  ) {
    // The caller's lines join a served object's error here (withCallerStack).
    return new Promise<unknown>((resolve, reject) =>
      this.#pending.set(seq, { resolve, reject, holds, writes, quietBefore, idle, id, mark }),
    ).catch(withCallerStack);
  }

  /** Whether a request of object `id` waits for its answer. */
  waitsOn(id: number): boolean {
    for (const p of this.#pending.values()) if (p.id === id) return true;
    return false;
  }

  /** Whether an acquire of object `key` (a Pending's `holds`) waits for its answer. */
  acquiring(key: number): boolean {
    for (const p of this.#pending.values()) if (p.holds === key) return true;
    return false;
  }

  /** Takes request `seq` out, or undefined when none waits. */
  take(seq: number): Pending | undefined {
    const p = this.#pending.get(seq);
    if (p) this.#pending.delete(seq);
    return p;
  }

  /** Settles `p` with the answer of tag `tag` at `buf[start, end)`; `pipe` learns what it says. */
  settle(p: Pending, tag: number, buf: Buffer, start: number, end: number, pipe: Pipelining): void {
    pipe.read(p.quietBefore);
    let value: unknown;
    try {
      value = decodeAnswer(buf, start, end);
    } catch (err) {
      resolveAfterOutput(() => p.reject(err));
      return;
    }
    // The caller sees the answer after any line a child printed before the call it answers.
    if (tag === FAILED) resolveAfterOutput(() => p.reject(fromRecord(value as ErrorRecord)));
    else if (tag === GRANTED) {
      // The object is leased here too (client-data-lease.ts): the answer carries its entries.
      const [result, items] = value as [unknown, [unknown, unknown][]];
      pipe.data.grant(p.id, p.mark, items);
      resolveAfterOutput(() => p.resolve(result));
    } else {
      const answer = pipe.answered(p.holds, p.writes, value);
      resolveAfterOutput(() => p.resolve(answer));
    }
  }

  /** The connection died: every request rejects with `err`. */
  rejectAll(err: Error): void {
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
  }
}
