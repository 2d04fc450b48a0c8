/**
 * A thread's connection to one manager, shared by all of its proxies there: one socket carrying
 * manager frames (rpc.ts). Requests are written at once, in the order they are made (the server
 * runs them in that order); answers come back by sequence number. The socket holds the program
 * open only while a request waits, so an idle proxy never keeps its program alive. An unbounded
 * wait sent to a manager this thread serves holds nothing: stuck.ts decides whether another party
 * could still answer it, or ends it.
 *
 * Pipelined calls save a round trip: they are written (tag QUIET, no answer) and resolve once the
 * frame is in the kernel (or, behind a full socket buffer, once it gets there). Later calls on
 * this socket run after them (FIFO). Two kinds:
 * - A release of a lock or semaphore this connection holds by its own count (acquires answered
 *   true minus releases sent): the manager's count for this owner is above 0 too, so it succeeds
 *   unless another owner released what this one holds (Python allows it for a plain Lock or
 *   Semaphore). A non-blocking acquire, `locked()` or a timeout that would find the lock held
 *   answers after one more poll of the manager's sockets (wait-list.ts, afterPoll), so a release
 *   followed by a signal on another channel (a Queue, an exit) is seen by the process it wakes.
 * - A write whose Python result is None and that the manager cannot refuse once the proxy has
 *   checked it (a dict's `set`/`update`, a list's `append`/`extend`, a Namespace's `set`), once
 *   this connection is registered as a writer of that object: its first write there is a round
 *   trip of tag WRITE. From then on, a frame of any other connection about that object waits one
 *   more poll (writers.ts), so a read that a signal on another channel caused sees the write.
 * A pipelined call that fails anyway comes back as LATE: a warning at once (MP_LATE_RELEASE or
 * MP_LATE_WRITE), and the manager rejects this connection's next answered call of that object
 * with it instead of running it. A process that ends right after a pipelined call loses nothing:
 * what the kernel had not taken is written at exit, in order (client-out.ts), and the manager reads
 * it before it sees the end of the socket.
 *
 * A call nobody awaits (Python's calls are synchronous: `lst.append(x)` ported as is) must still be
 * applied before the task's result or the Process's end is reported: a pool worker's event loop
 * stops between tasks (tinypool waits on Atomics there), so a connection still being made, or an
 * answered call not yet run, would wait for the next task, and a worker that ends would drop it.
 * So each client is one of the copies the worker flush hook waits for (runtime/exit.ts): when a
 * call is unanswered or not yet in the kernel, `flush()` asks the manager for a SYNC, answered once
 * every frame before it has run (per-connection order). Otherwise it costs nothing. A thread or
process that ends (`process.exit()`) before the connection is up sends what waits for it over a
connection made synchronously at exit (exit-connect.ts).
 */
import type net from 'node:net';
import { AuthenticationError, ManagerClosedError } from '../../errors.js';
import { type Address, connectManagerSocket, netAddress, openSocket } from '../net/endpoint.js';
import type { Feed } from '../net/handshake.js';
import { trackRemote, untrackRemote } from '../runtime/exit.js';
import { ClientOut } from './client-out.js';
import { warnBroken, warnLate, warnUndelivered } from './client-warnings.js';
import { deliverAtExit } from './exit-connect.js';
import { FrameSplitter } from './frame-io.js';
import {
  copyFrame,
  ENDS_NORMALLY,
  FAILED,
  LATE,
  QUIET,
  REQUEST,
  requestFrame,
  SYNC,
  TASKS_FROM,
  WRITE,
} from './rpc.js';
import { decodeAnswer } from './rpc-read.js';
import { type IdleWaiter, isHosted, managerKey, watchIdleWaits } from './stuck.js';
import { type ErrorRecord, fromRecord } from './wire.js';

interface Pending {
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
}

const clients = new Map<string, ManagerClient>();

/** This thread's client of the manager at `address` (one per address and key). */
export function clientFor(address: Address, authkey: string): ManagerClient {
  const key = managerKey(address, authkey);
  let c = clients.get(key);
  if (!c) {
    c = new ManagerClient(address, authkey, () => clients.delete(key));
    clients.set(key, c);
  }
  return c;
}

export class ManagerClient implements IdleWaiter {
  /** The connection's key (stuck.ts, managerKey). */
  readonly key: string;
  readonly #address: Address;
  readonly #key: Buffer;
  readonly #forget: () => void;
  readonly #pending = new Map<number, Pending>();
  readonly #splitter = new FrameSplitter((seq, tag, buf, start, end) =>
    this.#settle(seq, tag, buf, start, end),
  );
  // Set once connected; ref'd exactly while a request that holds the loop waits (#holdLoop).
  #socket: net.Socket | null = null;
  // Writes frames in order, and at exit what is left of them (client-out.ts).
  readonly #out = new ClientOut();
  #reffed = true;
  // Pending requests that hold the loop, pending idle waits, and idle waits being ended (stuck.ts).
  #refs = 0;
  #idle = 0;
  #answers = 0;
  // Frames made before the socket is authenticated, written then in order; null after.
  #queued: Buffer[] | null = [];
  #seq = 0;
  #dead: Error | null = null;
  // Per object id: acquires answered true minus releases sent, by this connection.
  readonly #held = new Map<number, number>();
  // Object ids this connection is a registered pipelining writer of (writers.ts).
  readonly #writer = new Set<number>();
  // Pipelined frames sent, and how many of them a later answer showed read.
  #quietSent = 0;
  #quietRead = 0;
  // Whether ENDS_NORMALLY was sent (endsNormally()).
  #endsSent = false;

  constructor(address: Address, authkey: string, forget: () => void) {
    this.key = managerKey(address, authkey);
    this.#address = address;
    this.#forget = forget;
    trackRemote(this);
    const key = Buffer.from(authkey, 'hex');
    this.#key = key;
    // In a pool worker, whose thread runs code only while a task runs: say whose tasks (core sets it).
    const from = (globalThis as Record<symbol, unknown>)[Symbol.for('multiproc.tasksFrom')];
    if (typeof from === 'string')
      this.#queued!.push(copyFrame(requestFrame(0, 0, TASKS_FROM, [from], QUIET)));
    const feed: Feed = { sink: null, rest: null };
    Promise.resolve()
      .then(() => openSocket(netAddress(address, 'a manager proxy'), feed))
      .then((s) => {
        this.#socket = s;
        this.#holdLoop();
        return connectManagerSocket(s, key, feed);
      })
      .then(
        (s) => this.#ready(s, feed),
        (err: unknown) => this.#die(err),
      );
  }

  /** Whether this connection is over (the manager went away): a new call should look up again. */
  get dead(): boolean {
    return this.#dead !== null;
  }

  /** Unbounded waits pending that hold no ref (stuck.ts). */
  get idleWaits(): number {
    return this.#idle;
  }

  /**
   * Calls `method` of object `id`; resolves to its answer. With `holds` (a lock's or semaphore's
   * acquire), an answer true counts the object as held by this connection. With `unbounded` (a
   * wait without a timeout), a manager this thread serves does not hold the loop for it (stuck.ts).
   */
  request(id: number, method: string, args: unknown[], holds = false, unbounded = false): Promise<unknown> {
    return this.#send(id, method, args, REQUEST, holds ? id : -1, -1, unbounded);
  }

  /** stuck.ts ends `n` idle waits: their answers are on the way, so the socket holds the loop. */
  expectAnswers(n: number): void {
    this.#answers += n;
    this.#holdLoop();
  }

  /**
   * Calls `method` of object `id`, a write whose result is undefined and that the manager cannot
   * refuse (see the header): pipelined once this connection is a registered writer of the object,
   * else a round trip that registers it. An argument that cannot be sent rejects this call.
   */
  write(id: number, method: string, args: unknown[]): Promise<unknown> {
    const s = this.#socket;
    if (!this.#writer.has(id) || s === null || this.#queued !== null || this.#dead) {
      return this.#send(id, method, args, WRITE, -1, id);
    }
    let n: number;
    try {
      n = requestFrame(0, id, method, args, QUIET);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#sendQuiet(n);
  }

  /**
   * Releases object `id` (a lock or semaphore): pipelined when this connection holds it by its
   * own count (see the header), else a round trip that reports a `LockError` on this call.
   */
  release(id: number): Promise<unknown> {
    const n = this.#held.get(id) ?? 0;
    const s = this.#socket;
    if (n === 0 || s === null || this.#queued !== null || this.#dead) {
      return this.request(id, 'release', []);
    }
    if (n === 1) this.#held.delete(id);
    else this.#held.set(id, n - 1);
    return this.#sendQuiet(requestFrame(0, id, 'release', [], QUIET));
  }

  /**
   * The worker flush hook (see the header): resolves once the manager has run every call this
   * connection sent so far, or at once when each was answered or is a pipelined frame in the kernel.
   */
  async flush(): Promise<void> {
    const s = this.#socket;
    if (this.#dead || (this.#queued === null && this.#pending.size === 0 && s !== null && this.#out.idle))
      return;
    await this.request(0, SYNC, []).catch(() => {}); // a manager gone: nothing left to wait for
  }

  /**
   * At exit nothing can be awaited: frames written with `writeSync` are in the kernel already, and
   * frames still waiting for the connection go over one made synchronously now (exit-connect.ts).
   */
  flushSync(deadline: number, exitCode?: number): void {
    if (exitCode === 0) this.endsNormally();
    const frames = this.#queued;
    if (this.#dead) return;
    // Connected: what the kernel has not taken yet (ENDS_NORMALLY last) is written now, in order.
    if (frames === null) {
      this.#out.flushSync(deadline);
      return;
    }
    if (frames.length === 0) return;
    this.#queued = [];
    const seq = (this.#seq = (this.#seq + 1) >>> 0);
    if (!deliverAtExit(this.#address, this.#key, frames, seq, deadline))
      warnUndelivered(`${frames.length} manager call(s)`, this.#address);
  }

  /**
   * Says this thread or process ends normally (ENDS_NORMALLY, pipelined, once): when its connection
   * closes, the manager leaves the plain Locks and semaphore permits it holds taken, as in Python,
   * for another owner to release. Not sent by a connection that never sent anything (it holds
   * nothing); a realm that fails never sends it, so what it holds is given back.
   */
  endsNormally(): void {
    if (this.#dead || this.#endsSent || this.#queued?.length === 0) return;
    this.#endsSent = true;
    const n = requestFrame(0, 0, ENDS_NORMALLY, [], QUIET);
    if (this.#queued !== null) this.#queued.push(copyFrame(n));
    else void this.#sendQuiet(n);
  }

  #send(
    id: number,
    method: string,
    args: unknown[],
    tag: number,
    holds: number,
    writes: number,
    unbounded = false,
  ): Promise<unknown> {
    if (this.#dead) return Promise.reject(this.#dead);
    const seq = (this.#seq = (this.#seq + 1) >>> 0);
    let n: number;
    try {
      n = requestFrame(seq, id, method, args, tag);
    } catch (err) {
      return Promise.reject(err); // an argument that cannot be sent: this call fails, not the rest
    }
    const quietBefore = this.#quietSent;
    const idle = unbounded && isHosted(this.key);
    const p = new Promise<unknown>((resolve, reject) =>
      this.#pending.set(seq, { resolve, reject, holds, writes, quietBefore, idle }),
    );
    if (idle) {
      this.#idle++;
      watchIdleWaits(this);
    } else this.#refs++;
    this.#holdLoop();
    if (this.#queued !== null) this.#queued.push(copyFrame(n));
    else void this.#out.send(n);
    return p;
  }

  // Writes the pipelined frame just encoded (`n` bytes); settled once it is in the kernel (at
  // once, the usual case).
  #sendQuiet(n: number): Promise<unknown> {
    this.#quietSent++;
    return this.#out.send(n);
  }

  #ready(s: net.Socket, feed: Feed): void {
    if (this.#dead) return;
    feed.sink = (chunk) => {
      try {
        this.#splitter.push(chunk, true);
      } catch (err) {
        s.destroy(err as Error);
      }
    };
    if (feed.rest) feed.sink(feed.rest);
    s.on('error', (err) => {
      // Broken, not closed by the manager: pipelined calls it did not confirm may be lost.
      warnBroken(this.#quietSent - this.#quietRead, err);
      this.#die(err);
    });
    s.once('close', () => this.#die(new Error('The connection to the manager closed.')));
    this.#out.attach(s, this.#queued!);
    this.#queued = null;
    this.#holdLoop();
    s.resume();
  }

  #settle(seq: number, tag: number, buf: Buffer, start: number, end: number): void {
    if (tag === LATE) {
      this.#failedLate(seq, buf, start, end);
      return;
    }
    const p = this.#pending.get(seq);
    if (!p) return;
    this.#pending.delete(seq);
    if (!p.idle) this.#refs--;
    else {
      this.#idle--;
      if (this.#answers > 0) this.#answers--;
    }
    this.#holdLoop();
    if (p.quietBefore > this.#quietRead) this.#quietRead = p.quietBefore;
    let value: unknown;
    try {
      value = decodeAnswer(buf, start, end);
    } catch (err) {
      p.reject(err);
      return;
    }
    if (tag === FAILED) p.reject(fromRecord(value as ErrorRecord));
    else {
      if (p.holds >= 0 && value === true) this.#held.set(p.holds, (this.#held.get(p.holds) ?? 0) + 1);
      if (p.writes >= 0) this.#writer.add(p.writes);
      p.resolve(value);
    }
  }

  // A pipelined call of object `id` failed (a release of what another owner had released, a write
  // the manager refused): said at once; the manager rejects this connection's next answered call
  // of it with the same error, and until then this connection pipelines nothing to it.
  #failedLate(id: number, buf: Buffer, start: number, end: number): void {
    this.#held.delete(id);
    this.#writer.delete(id);
    warnLate(buf, start, end);
  }

  // The socket holds the loop while a request that needs it waits, while connecting with anything
  // pending (the handshake is finite), and while the answers of waits stuck.ts ended are on the way.
  #holdLoop(): void {
    if (this.#pending.size === 0) this.#answers = 0;
    const want = this.#pending.size > 0 && (this.#refs > 0 || this.#answers > 0 || this.#queued !== null);
    const s = this.#socket;
    if (s === null || want === this.#reffed) return;
    this.#reffed = want;
    want ? s.ref() : s.unref();
  }

  #die(cause: unknown): void {
    if (this.#dead) return;
    this.#forget();
    untrackRemote(this);
    const err =
      cause instanceof AuthenticationError
        ? cause
        : new ManagerClosedError(
            `The manager at ${JSON.stringify(this.#address)} is gone (shut down, or its program ended): ` +
              'its proxies no longer work. Keep the manager running while its proxies are in use.',
            { cause },
          );
    this.#dead = err;
    this.#socket?.destroy();
    this.#out.closed();
    this.#queued = null;
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
    this.#refs = this.#idle = this.#answers = 0;
    this.#held.clear();
    this.#writer.clear();
  }
}
