/**
 * A thread's connection to one manager (`clientFor()`, client-registry.ts), shared by its proxies
 * there: one socket of manager frames (rpc.ts), requests written in order, answers matched by
 * sequence number. The socket holds the program open only while a request waits (not an unbounded
 * wait on a manager this thread serves: stuck.ts). Pipelined calls (QUIET: a held lock's release, a
 * registered writer's write) save a round trip (client-pipeline.ts); calls nobody awaits are
 * applied before a worker's result or end is reported (exit-connect.ts); leased Locks and dicts
 * answer here (client-lease.ts, client-data-lease.ts).
 */
import type net from 'node:net';
import { handleSocketFrames } from '../link/output-order.js';
import { type Address, connectManagerSocket, netAddress, openSocket } from '../net/endpoint.js';
import { type Feed, setSink } from '../net/feed.js';
import type { ManagerHello } from '../net/handshake.js';
import { trackRemote, untrackRemote } from '../runtime/exit.js';
import { ENDLESS, NO_WAIT, PendingCalls } from './client-calls.js';
import { DataCalls } from './client-data-lease.js';
import { LoopHold } from './client-hold.js';
import { type Holds, LeaseCalls } from './client-lease.js';
import { ClientOut } from './client-out.js';
import { Pipelining } from './client-pipeline.js';
import { releaseLock } from './client-release.js';
import { managerGone, warnBroken, warnUndelivered } from './client-warnings.js';
import { deliverAtExit } from './exit-connect.js';
import { FrameSplitter } from './frame-io.js';
import {
  copyFrame,
  ENDS_NORMALLY,
  LATE,
  LEASE,
  QUIET,
  REQUEST,
  REVOKE,
  requestFrame,
  SHUT_DOWN,
  SYNC,
  TASKS_FROM,
  WRITE,
} from './rpc.js';
import { type IdleWaiter, isHosted, managerKey, watchIdleWaits } from './stuck.js';
import type { ProxyRef } from './wire.js';

export class ManagerClient implements IdleWaiter {
  /** The connection's key (stuck.ts, managerKey). */
  readonly key: string;
  readonly #address: Address;
  readonly #key: Buffer;
  readonly #forget: () => void;
  /** Requests waiting for their answers (client-refs.ts asks whether one is on an object). */
  readonly pending = new PendingCalls();
  readonly #splitter = new FrameSplitter((seq, tag, buf, from, to) => this.#settle(seq, tag, buf, from, to));
  // Set once connected; ref'd exactly while a request that holds the loop waits (#holdLoop).
  #socket: net.Socket | null = null;
  // Writes frames in order, and at exit what is left of them (client-out.ts).
  readonly #out = new ClientOut();
  // What holds the loop, read by stuck.ts too (its idle waits; what moved since a sync).
  readonly hold = new LoopHold(() => this.#pipe.sent);
  // Frames made before the socket is authenticated, written then in order; null after.
  #queued: Buffer[] | null = [];
  #seq = 0;
  #dead: Error | null = null;
  // What this connection holds and writes, and its pipelined frames (client-pipeline.ts).
  readonly #pipe = new Pipelining();
  // Calls of the Locks (`leases`) and dicts leased to this connection, answered here
  // (client-lease.ts, client-data-lease.ts).
  readonly #quiet = (n: number): Promise<unknown> => this.#sendQuiet(n);
  readonly leases = new LeaseCalls(() => this.#dead, this.#pipe, this.#quiet, this.pending);
  readonly #data = new DataCalls(() => this.#dead, this.#pipe, this.#quiet);
  #endsSent = false; // whether ENDS_NORMALLY was sent (endsNormally())
  // The server instance its proxies expect, and the one that answered: another (a manager started
  // again at the address) ends it at once, so old proxies never reach its objects by their ids.
  readonly #expected: string | undefined;
  #server: string | undefined;
  readonly managerShutDown = (): void => this.#die(new Error('The manager was shut down.'));

  constructor(address: Address, authkey: string, forget: () => void, expected?: string) {
    this.key = managerKey(address, authkey);
    this.#address = address;
    this.#forget = forget;
    this.#expected = expected;
    this.#server = expected;
    trackRemote(this);
    const key = (this.#key = Buffer.from(authkey, 'hex'));
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
        return connectManagerSocket(s, key, feed, this.#expected);
      })
      .then(
        (hello) => this.#ready(this.#socket!, feed, hello),
        (err: unknown) => this.#die(err),
      );
  }

  /** The server instance this connection reaches (once connected), or is for. */
  get server(): string | undefined {
    return this.#server;
  }

  /** Whether this connection is over (the manager went away): a new call should look up again. */
  get dead(): boolean {
    return this.#dead !== null;
  }

  /**
   * Calls `method` of object `id`; resolves to its answer (a leased dict's replica answers it, if
   * it can). `holds`: a lock's or semaphore's acquire (true counts it held here). `wait`: may it wait
   * for another party (client-calls.ts; ENDLESS: no timeout). `tag` LEASE: a Lock's lease-taking acquire.
   */
  request(id: number, method: string, args: unknown[], holds: Holds = false, wait = NO_WAIT, tag = REQUEST) {
    const again = () => this.request(id, method, args);
    const local = this.#pipe.data.size === 0 ? null : this.#data.call(id, method, args, again);
    const key = holds === true ? id : holds === false ? -1 : holds; // a Condition's: its lock's
    return local ?? this.#send(id, method, args, tag, key, -1, wait);
  }

  /** stuck.ts ends `n` idle waits: their answers are on the way, so the socket holds the loop. */
  expectAnswers(n: number): void {
    this.hold.expect(n);
    this.#holdLoop();
  }

  /**
   * Calls `method` of object `id`, a write whose result is undefined and that the manager cannot
   * refuse (client-pipeline.ts): applied here too while leased here; pipelined once this connection
   * is a registered writer of the object, else a round trip that registers it.
   */
  write(id: number, method: string, args: unknown[]): Promise<unknown> {
    const local =
      this.#pipe.data.size === 0
        ? null
        : this.#data.call(id, method, args, () => this.write(id, method, args));
    if (local !== null) return local;
    if (!this.#pipe.isWriter(id) || !this.#open()) return this.#send(id, method, args, WRITE, -1, id);
    let n: number;
    try {
      n = requestFrame(0, id, method, args, QUIET);
    } catch (err) {
      return Promise.reject(err);
    }
    this.#pipe.data.touch(id);
    return this.pending.inOrder(id, this.#sendQuiet(n));
  }

  /** Calls `method` of dict `id`: answered here while leased here, else asked with tag LEASE. */
  dataCall(id: number, method: string, args: unknown[]): Promise<unknown> {
    const again = () => this.dataCall(id, method, args);
    return this.#data.call(id, method, args, again) ?? this.#send(id, method, args, LEASE, -1, -1);
  }

  /** Releases `ref`'s object (a lock or semaphore; `n` permits of a semaphore): see releaseLock. */
  release(ref: ProxyRef, n = 1): Promise<unknown> {
    return releaseLock(this, this.#pipe, ref, n, this.#open(), this.#quiet, this.pending);
  }

  /**
   * The worker flush hook (exit-connect.ts), after each task: gives every lease back; resolves once
   * the manager ran every call sent so far (at once when each was answered or is in the kernel).
   */
  async flush(): Promise<void> {
    // A pool worker's loop may stop until its next task: nobody could get a lease back meanwhile.
    if (!this.#dead) this.#data.giveAllBack(this.leases);
    if (this.#dead || (this.#queued === null && this.pending.size === 0 && this.#socket && this.#out.idle))
      return;
    await this.request(0, SYNC, []).catch(() => {}); // a manager gone: nothing left to wait for
  }

  /** At exit: frames not in the kernel yet are written synchronously (exit-connect.ts, client-out.ts). */
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
    if (!deliverAtExit(this.#address, this.#key, frames, seq, deadline, this.#expected))
      warnUndelivered(`${frames.length} manager call(s)`, this.#address);
  }

  /**
   * Says this realm ends normally (ENDS_NORMALLY, pipelined, once, if it sent anything): its plain Locks
   * and permits then stay taken when it closes, as in Python (a realm that fails gives them back).
   */
  endsNormally(): void {
    if (this.#dead || this.#endsSent || this.#queued?.length === 0) return;
    this.#endsSent = true;
    // Leases first, so the manager knows what this realm holds when it ends (client-lease.ts).
    this.#data.giveAllBack(this.leases);
    this.pushQuiet(requestFrame(0, 0, ENDS_NORMALLY, [], QUIET));
  }

  /** Sends the pipelined frame just encoded (`n` bytes; a refcount report: client-refs.ts). */
  pushQuiet(n: number): void {
    if (this.#dead) return;
    if (this.#queued !== null) this.#queued.push(copyFrame(n));
    else void this.#sendQuiet(n);
  }

  // `holds`, `writes`: see PendingCalls.add (client-calls.ts); `wait`: see request() (0: NO_WAIT).
  #send(id: number, name: string, args: unknown[], tag: number, holds: number, writes: number, wait = 0) {
    if (this.#dead) return Promise.reject(this.#dead);
    const seq = (this.#seq = (this.#seq + 1) >>> 0);
    let n: number;
    try {
      n = requestFrame(seq, id, name, args, tag);
    } catch (err) {
      return Promise.reject(err); // an argument that cannot be sent: this call fails, not the rest
    }
    const [idle, mark] = [wait === ENDLESS && isHosted(this.key), this.#pipe.data.touch(id)];
    const p = this.pending.add(seq, holds, writes, this.#pipe.sent, idle, id, mark, wait !== NO_WAIT);
    this.hold.waiting(idle);
    if (idle) watchIdleWaits(this);
    this.#holdLoop();
    if (this.#queued !== null) this.#queued.push(copyFrame(n));
    else void this.#out.send(n);
    return p;
  }

  // Whether a pipelined frame can be written now: connected, authenticated, alive.
  #open(): boolean {
    return this.#socket !== null && this.#queued === null && this.#dead === null;
  }

  // Writes the pipelined frame just encoded (`n` bytes); settled once it is in the kernel (at
  // once, the usual case).
  #sendQuiet(n: number): Promise<unknown> {
    this.#pipe.sentOne();
    return this.#out.send(n);
  }

  #ready(s: net.Socket, feed: Feed, hello: ManagerHello): void {
    if (this.#dead) return;
    this.#server = hello.server;
    setSink(feed, (chunk) => {
      try {
        handleSocketFrames(() => this.#splitter.push(chunk, true));
      } catch (err) {
        s.destroy(err as Error);
      }
    });
    s.on('error', (err) => {
      // Broken, not closed by the manager: pipelined calls it did not confirm may be lost.
      warnBroken(this.#pipe.unread, err);
      this.#die(err);
    });
    s.once('close', () => this.#die(new Error('The connection to the manager closed.')));
    this.#out.attach(s, this.#queued!);
    this.#queued = null;
    this.#holdLoop();
    s.resume();
  }

  #settle(seq: number, tag: number, buf: Buffer, start: number, end: number): void {
    if (tag === SHUT_DOWN) {
      this.managerShutDown(); // its end is no loss: nothing to warn of
      return;
    }
    if (tag === LATE || tag === REVOKE) {
      // A dict's lease goes back on either (its next call then learns of a late failure there).
      if (tag === LATE) this.#pipe.failedLate(seq, buf, start, end);
      if (!this.#data.revoked(seq) && tag === REVOKE) this.leases.revoked(seq);
      return;
    }
    const p = this.pending.take(seq);
    if (!p) return;
    this.hold.answered(p.idle);
    this.#holdLoop();
    this.pending.settle(p, tag, buf, start, end, this.#pipe);
  }

  #holdLoop(): void {
    this.hold.apply(this.#socket, this.pending.size, this.#queued !== null);
  }

  #die(cause: unknown): void {
    if (this.#dead) return;
    this.#forget();
    untrackRemote(this);
    const err = managerGone(this.#address, cause);
    this.#dead = err;
    this.#socket?.destroy();
    this.#out.closed();
    this.#queued = null;
    this.pending.rejectAll(err);
    this.hold.clear();
    this.#pipe.clear();
  }
}
