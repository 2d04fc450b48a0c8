/**
 * One client connection of a manager's server (server.ts): one thread or process, the owner of
 * what it acquires. It owns the order in which that connection's frames run: each as it comes,
 * or queued behind a frame that waits one more poll for another connection's pipelined writes
 * (writers.ts) or behind a call that has not started yet (call-start.ts: an answer put off by a
 * poll, a timeout-0 wait, a lease coming back), so the calls of one thread or process take effect
 * in the order it made them; a call waiting for another party does not hold the next ones back.
 * It also owns its pipelined (QUIET) calls and their LATE failures, and its answers.
 */
import type net from 'node:net';
import { startOf } from './call-start.js';
import { keptFailureFrame } from './error-parts-kept.js';
import { sendFrame } from './frame-io.js';
import {
  answerFrame,
  ENDS_NORMALLY,
  FAILED,
  GRANTED,
  LATE,
  LEASE,
  LEASE_BACK,
  OK,
  QUIET,
  REQUEST,
  REVOKE,
  TASKS_FROM,
  WRITE,
} from './rpc.js';
import { decodeRequest, requestMethod } from './rpc-read.js';
import { Granted } from './served-data-lease.js';
import { MAY_LEASE, type Served } from './served-sync.js';
import { afterPoll, type Owner } from './wait-list.js';
import { type ErrorRecord, type Request, toRecord } from './wire.js';
import type { Writers } from './writers.js';

/** A frame waiting for one more poll of the manager's sockets (writers.ts). */
interface Deferred {
  readonly seq: number;
  readonly tag: number;
  readonly id: number;
  readonly call: Request | null;
  readonly error: ErrorRecord | null;
}

/** What a connection uses of its server. */
export interface ConnServer {
  /** Whether the server shut down (answers are then dropped). */
  isClosed(): boolean;
  readonly writers: Writers;
  /** The served object `id`; ReferenceError when the server no longer serves it. */
  object(id: number): Served;
  /** A call of the manager itself (object id 0). */
  managerCall(method: string, args: unknown[], owner: Owner): unknown;
  /** This connection is a pool worker's whose tasks come from the server's thread (TASKS_FROM). */
  workerOfHere(socket: net.Socket): void;
  /** Whether `call` copies a proxy argument's object that another connection may be writing (referent.ts). */
  readsOthersWrites(call: Request, owner: Owner): boolean;
}

/** One client connection: one thread or process, the owner of what it acquires. */
export class Conn {
  readonly socket: net.Socket;
  readonly owner: Owner;
  /** Per object id: the failure of this connection's pipelined call, for its next call of it. */
  readonly late = new Map<number, ErrorRecord>();
  /**
   * Frames waiting for a poll or for an earlier call to start, in arrival order (later ones queue
   * behind); null when none waits.
   */
  deferred: Deferred[] | null = null;
  /** What ends this owner once no frame of it waits (set at close: see {@link ended}). */
  #gone: (() => void) | null = null;
  /** Set when its thread or process said it ends normally (ENDS_NORMALLY) before it closed. */
  endsNormally = false;
  readonly #server: ConnServer;

  constructor(socket: net.Socket, owner: Owner, server: ConnServer) {
    this.socket = socket;
    this.owner = owner;
    this.#server = server;
  }

  /** Runs (or queues) the frame at `buf[start, end)`. */
  onFrame(seq: number, tag: number, buf: Buffer, start: number, end: number): void {
    let call: Request | null = null;
    let error: ErrorRecord | null = null;
    try {
      if (tag !== REQUEST && tag !== QUIET && tag !== WRITE && tag !== LEASE)
        throw new TypeError('Malformed manager request.');
      call = decodeRequest(buf, start, end);
    } catch (err) {
      error = { ...toRecord(err), method: requestMethod(buf, start, end) };
    }
    const id = call !== null ? call[0] : end - start >= 4 ? buf.readUInt32LE(start) : 0;
    const f: Deferred = { seq, tag, id, call, error };
    if (this.deferred !== null) {
      if (tag === QUIET && call?.[1] === LEASE_BACK) this.#leaseBack(f, this.deferred);
      else this.deferred.push(f);
    } else if (
      (id !== 0 && this.#server.writers.othersOf(id, this.owner)) ||
      (call !== null && this.#server.readsOthersWrites(call, this.owner))
    ) {
      // Another client may have pipelined writes of this object (or of the one a proxy argument
      // stands for) still unread (writers.ts).
      this.#pauseUntil(
        afterPoll(() => undefined),
        [f],
      );
    } else this.#pauseUntil(this.#run(f));
  }

  /**
   * The socket closed: the frames still queued run (once a poll has passed, not waiting for
   * another start: nobody reads their answers, and the calls of a gone owner that wait for a
   * lease never run), then `gone` ends the owner.
   */
  ended(gone: () => void): void {
    this.#gone = gone;
    if (this.deferred === null) this.#end();
    else void afterPoll(() => this.#drain(true));
  }

  /**
   * A lease of object `id` given back (QUIET LEASE_BACK) runs at once, after the frames of that
   * object queued before it: the calls that wait for it may be what holds this connection (its own
   * call sent before the lease came, or another connection's that waits for this one), and what
   * it did under the lease took effect here when it was made.
   */
  #leaseBack(f: Deferred, queue: Deferred[]): void {
    const mine = queue.filter((q) => q.id === f.id);
    if (mine.length > 0) queue.splice(0, queue.length, ...queue.filter((q) => q.id !== f.id));
    for (const q of mine) this.#run(q);
    this.#run(f);
  }

  // Queues this connection's later frames (behind `first`) until `start` settles; none when undefined.
  #pauseUntil(start: Promise<unknown> | undefined, first: Deferred[] = []): void {
    if (start === undefined) return;
    const queue: Deferred[] = (this.deferred = first);
    const drain = () => {
      if (this.deferred === queue) this.#drain(false);
    };
    start.then(drain, drain);
  }

  // Runs the queued frames in order, until one has not started yet (unless `all`: the socket closed).
  #drain(all: boolean): void {
    const frames = this.deferred ?? [];
    this.deferred = null;
    while (frames.length > 0) {
      const start = this.#run(frames.shift()!);
      if (start !== undefined && !all) {
        this.#pauseUntil(start, frames);
        return;
      }
    }
    this.#end();
  }

  #end(): void {
    const gone = this.#gone;
    this.#gone = null;
    gone?.();
  }

  // Runs one frame; returns the start of its call when it has not started yet (call-start.ts).
  #run({ seq, tag, id, call, error }: Deferred): Promise<unknown> | undefined {
    if (call === null) {
      if (tag === QUIET) this.#failLate(id, error!.method ?? '', error!);
      else this.#reply(seq, FAILED, error);
      return;
    }
    // A lease given back always runs: the lock's other callers wait for it (served-lease.ts).
    const failed = this.late.size === 0 || call[1] === LEASE_BACK ? undefined : this.late.get(id);
    if (failed !== undefined) {
      // Not run: its caller learns of the failed pipelined call first (a QUIET one leaves it for the next).
      if (tag !== QUIET) {
        this.late.delete(id);
        this.#reply(seq, FAILED, failed);
      }
      return;
    }
    if (tag === QUIET) {
      if (call[0] === 0 && call[1] === ENDS_NORMALLY) this.endsNormally = true;
      else return this.#runQuiet(call);
      return;
    }
    if (tag === WRITE) this.#server.writers.add(id, this.owner);
    else if (tag === LEASE) call[2].push(MAY_LEASE); // a symbol: no frame can carry it
    return this.#handle(seq, call);
  }

  /** Asks this connection for the lease of object `id` back (served-lease.ts). */
  revoke(id: number): void {
    this.#reply(id, REVOKE, undefined);
  }

  #handle(seq: number, [id, method, args]: Request): Promise<unknown> | undefined {
    try {
      const r =
        id === 0
          ? this.#server.managerCall(method, args, this.owner)
          : this.#server.object(id).invoke(method, args, this.owner);
      if (r instanceof Promise) {
        r.then(
          (v) => this.#reply(seq, OK, v),
          (e: unknown) => this.#reply(seq, FAILED, toRecord(e)),
        );
        return startOf(r);
      }
      if (r instanceof Granted) this.#grant(seq, r);
      else this.#reply(seq, OK, r);
    } catch (err) {
      this.#reply(seq, FAILED, toRecord(err));
    }
  }

  /**
   * A pipelined call (client.ts: a held lock's release, a write whose result is undefined) is
   * answered only when it fails: LATE, with the object id as its seq, so the proxy can warn at
   * once; the connection's next answered call of that object, which the proxy sent believing the
   * write done, is rejected with that failure instead of run, and pipelined ones until then are
   * dropped (as if the failed call had thrown where it was made).
   */
  #runQuiet([id, method, args]: Request): Promise<unknown> | undefined {
    if (id === 0 && method === TASKS_FROM) {
      if (args[0] === thisThread()) this.#server.workerOfHere(this.socket);
      return;
    }
    if (id === 0) {
      try {
        this.#server.managerCall(method, args, this.owner); // a refcount report (served-refs.ts)
      } catch {
        // not one: nothing a client of ours sends
      }
      return;
    }
    let r: unknown;
    try {
      const obj = this.#server.object(id);
      r =
        method === LEASE_BACK
          ? obj.leaseBack?.(this.owner, args[0] === true)
          : obj.invoke(method, args, this.owner);
    } catch (err) {
      this.#failLate(id, method, toRecord(err));
      return;
    }
    if (!(r instanceof Promise)) return;
    r.catch((err: unknown) => this.#failLate(id, method, toRecord(err)));
    return startOf(r);
  }

  #failLate(id: number, method: string, r: ErrorRecord): void {
    const why =
      method === 'release'
        ? '(Another thread or process had released it; this call was not made.)'
        : '(Neither it nor the pipelined writes of this object after it were applied; this call was not made.)';
    const record: ErrorRecord = {
      name: r.name,
      // Its class, as the thrower's (wire.ts): a LockError comes back as a LockError.
      ...(r.family === undefined ? {} : { family: r.family, className: r.className }),
      message: `An earlier ${method ? `${method}()` : 'call'} of this object, sent without waiting for its answer, failed: ${r.message} ${why}`,
      method,
    };
    this.late.set(id, record);
    this.#reply(id, LATE, record);
  }

  // A call's answer that leases its object to this connection (served-data-lease.ts).
  #grant(seq: number, g: Granted): void {
    if (this.socket.destroyed || this.#server.isClosed()) return;
    let n: number;
    try {
      n = answerFrame(seq, GRANTED, [g.value, g.items]);
    } catch {
      g.undo(); // not leased after all: the plain answer (or its failure) goes instead
      this.#reply(seq, OK, g.value);
      return;
    }
    sendFrame(this.socket, n);
  }

  #reply(seq: number, tag: number, value: unknown): void {
    if (this.socket.destroyed || this.#server.isClosed()) return;
    let n: number;
    try {
      n = answerFrame(seq, tag, value);
    } catch (err) {
      // A failure keeps its sendable parts (error-parts-kept.ts); a result, the error saying why not.
      n = keptFailureFrame(seq, tag, value) ?? answerFrame(seq, FAILED, toRecord(err));
    }
    sendFrame(this.socket, n);
  }
}

/** This thread, as a pool worker names the thread its tasks come from (`pid:threadId`). */
function thisThread(): string {
  return `${process.pid}:${process.getBuiltinModule('node:worker_threads').threadId}`;
}
