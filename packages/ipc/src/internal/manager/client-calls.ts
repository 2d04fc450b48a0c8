/**
 * A manager connection's requests waiting for their answers (client.ts), by sequence number, and
 * how an answer settles one: its value, or its error record as the error the manager's call threw.
 */
import { loadPending, type PendingLoad } from '@multiproc/shared';
import { resolveAfterOutput } from '../link/output-order.js';
import { ReceiveOrder } from '../receive-order.js';
import type { Pipelining } from './client-pipeline.js';
import { FAILED, GRANTED } from './rpc.js';
import { decodeAnswer } from './rpc-read.js';
import { type ErrorRecord, fromRecord, withCallerStack } from './wire.js';

/** A call that waits for no other party (request()'s `wait`). */
export const NO_WAIT = 0;
/** A call that may wait for another party, up to a timeout (an acquire, a wait, a blocking get). */
export const WAITS = 1;
/** Such a call without a timeout (stuck.ts). */
export const ENDLESS = 2;

/** request()'s `wait` for a call that waits up to `timeoutMs` (-1: no limit, 0: answers at once). */
export function waitFor(timeoutMs: number): number {
  return timeoutMs < 0 ? ENDLESS : timeoutMs === 0 ? NO_WAIT : WAITS;
}

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
  /** Settles the pipelined calls of its object made after it (inOrder), once it settled. */
  after?: (() => void)[];
}

/** One object's requests waiting for their answers: how many, and the last one that waits for no other party. */
interface PerObject {
  n: number;
  last: Pending | null;
}

/** One connection's requests waiting for their answers. */
export class PendingCalls {
  readonly #pending = new Map<number, Pending>();
  // Per object id: how many of its calls wait for their answers, and the last one of them that
  // waits for no other party (see inOrder).
  readonly #perObject = new Map<number, PerObject>();
  // Answers settle in the order they came while one waits for a load (a task reference's module).
  readonly #order = new ReceiveOrder();

  get size(): number {
    return this.#pending.size;
  }

  /**
   * Request `seq` was made: the promise of its answer. `waits`: it may wait for another party (an
   * acquire, a wait, a blocking get or put), so later calls do not settle after it (see inOrder).
   */
  add(
    seq: number,
    holds: number,
    writes: number,
    quietBefore: number,
    idle: boolean,
    id: number,
    mark: number,
    waits = false,
  ) {
    let entry: Pending;
    // The caller's lines join a served object's error here (withCallerStack).
    const p = new Promise<unknown>((resolve, reject) => {
      entry = { resolve, reject, holds, writes, quietBefore, idle, id, mark };
      this.#pending.set(seq, entry);
    }).catch(withCallerStack);
    const o = this.#perObject.get(id) ?? { n: 0, last: null };
    o.n++;
    if (!waits) o.last = entry!;
    this.#perObject.set(id, o);
    return p;
  }

  /** Whether a request of object `id` waits for its answer. */
  waitsOn(id: number): boolean {
    return this.#perObject.has(id);
  }

  /**
   * `sent`, a pipelined call of object `id` just sent, settled right after the last call of that
   * object still unanswered that waits for no other party: calls of one object settle in the order
   * they were made (a waiting call does not hold the later ones back).
   */
  inOrder<T>(id: number, sent: Promise<T>): Promise<T> {
    const before = this.#perObject.size === 0 ? null : (this.#perObject.get(id)?.last ?? null);
    if (before === null) return sent;
    let out: { v: T } | null = null;
    sent.then(
      (v) => (out = { v }),
      () => {}, // its caller gets it below
    );
    // Settled as that call's answer settles, one step later as a request's own promise (add()).
    return new Promise<T>((resolve) =>
      (before.after ??= []).push(() => resolve(out === null ? sent : out.v)),
    ).then((v) => v);
  }

  /** Whether an acquire of object `key` (a Pending's `holds`) waits for its answer. */
  acquiring(key: number): boolean {
    for (const p of this.#pending.values()) if (p.holds === key) return true;
    return false;
  }

  /** Takes request `seq` out, or undefined when none waits. */
  take(seq: number): Pending | undefined {
    const p = this.#pending.get(seq);
    if (!p) return undefined;
    this.#pending.delete(seq);
    const o = this.#perObject.get(p.id)!;
    if (--o.n === 0) this.#perObject.delete(p.id);
    else if (o.last === p) o.last = null;
    return p;
  }

  /**
   * Settles `p` with the answer of tag `tag` at `buf[start, end)`; `pipe` learns what it says. A
   * value holding a task reference whose module this realm never imported (in a worker) settles
   * once that module is imported, as `Queue.get()`'s does; a module that cannot be imported rejects
   * the call with the loader's error.
   */
  settle(p: Pending, tag: number, buf: Buffer, start: number, end: number, pipe: Pipelining): void {
    pipe.read(p.quietBefore);
    let value: unknown;
    const loads: PendingLoad[] = [];
    try {
      value = decodeAnswer(buf, start, end, loads);
    } catch (err) {
      this.#finish(p, false, err, undefined);
      return;
    }
    // The caller sees the answer after any line a child printed before the call it answers.
    if (tag === FAILED) this.#finish(p, false, fromRecord(value as ErrorRecord), undefined);
    else if (tag === GRANTED) {
      // The object is leased here too (client-data-lease.ts): the answer carries its entries.
      const [result, items] = value as [unknown, [unknown, unknown][]];
      pipe.data.grant(p.id, p.mark, items);
      this.#finish(p, true, result, loadPending(loads));
    } else this.#finish(p, true, pipe.answered(p.holds, p.writes, value), loadPending(loads));
  }

  #finish(p: Pending, ok: boolean, v: unknown, loading: Promise<void> | undefined): void {
    if (loading === undefined && !this.#order.busy) {
      resolveAfterOutput(() => done(p, ok, v));
      return;
    }
    const outcome = loading ? loading.then(() => v) : ok ? v : Promise.reject(v);
    this.#order.add(outcome).then(
      (value) => resolveAfterOutput(() => done(p, true, value)),
      (error: unknown) => resolveAfterOutput(() => done(p, false, error)),
    );
  }

  /** The connection died: every request rejects with `err`. */
  rejectAll(err: Error): void {
    for (const p of this.#pending.values()) done(p, false, err);
    this.#pending.clear();
    this.#perObject.clear();
  }
}

// Settles request `p` with `v` (resolved when `ok`), then the pipelined calls made after it.
function done(p: Pending, ok: boolean, v: unknown): void {
  if (ok) p.resolve(v);
  else p.reject(v);
  if (p.after) for (const f of p.after) f();
}
