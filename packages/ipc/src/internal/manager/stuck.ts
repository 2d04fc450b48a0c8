/**
 * The deadlock rule for proxies of a manager this thread serves (the contract's "a pending wait
 * keeps the program alive while something live could still satisfy it; when nothing can any more,
 * it rejects"), the way `@multiproc/shared` applies it to thread primitives and the ipc waiter to
 * queues and pipes.
 *
 * An unbounded wait (an `acquire()`, `wait()`, `get()`, `put()` or `join()` without a timeout) sent
 * to a manager served from this same thread holds no ref on its socket: it is "idle" (client.ts).
 * When the loop runs dry (`beforeExit`) with such a wait pending, either another party could still
 * answer it, and a short timer looks again later:
 * - another connection to the manager (a child process or thread, a pool worker of another thread,
 *   a remote program holding a proxy: the server counts them), or
 * - a live child this library started (core's `Symbol.for('multiproc.threadsAlive')` hook: it may
 *   not have connected yet),
 * or nothing can, but only once the manager has read everything this thread sent and this thread
 * has read every answer: a call written in the loop's last turn (a timer's `release()`, `notify()`,
 * `put()`, or an acquire whose answer leads to one) may be the very one that ends the wait, and the
 * socket, unref'd, does not keep the loop running until the server reads it. So the client first
 * sends a SYNC request (answered after every earlier frame, ref'd while it waits); once it is
 * answered, a loop that runs dry again with nothing sent or read since (`hold.activity`) has
 * nothing left that could act: the server rejects every wait it holds (each served object with its
 * own error class: `LockError`, `BrokenBarrierError`, `EOFError`), and the client holds its socket
 * open until those answers are read.
 *
 * A pool worker of this thread's pools is no such party: it runs code only while a task this thread
 * sent runs, and a pending pool call keeps this thread's loop from running dry; so once it is dry
 * no task runs and none can come. Its connection says so when it opens (rpc.ts, TASKS_FROM), and
 * the server leaves it out of `connections`.
 *
 * A wait sent to a manager in another thread, process or program keeps its socket ref'd: that
 * manager's program is live while the connection is open, and when it ends the wait rejects with
 * `ManagerClosedError`.
 */
import type { Address } from '../net/endpoint.js';
import { SYNC } from './rpc.js';

/** What this rule needs of a server: its live connections, and a way to end every wait. */
export interface HostedServer {
  /** Live client connections (this thread's own client included). */
  readonly connections: number;
  /** Rejects every wait the served objects hold; returns how many there were. */
  abandonWaits(): number;
}

/** What this rule needs of a client (client.ts). */
export interface IdleWaiter {
  readonly key: string;
  readonly dead: boolean;
  /** Unbounded waits pending that hold no ref (`idle`); what was sent and read so far (`activity`). */
  readonly hold: { readonly idle: number; readonly activity: number };
  /** Holds the socket open until `n` more idle waits are answered (or none is pending). */
  expectAnswers(n: number): void;
  /** Sends a request (here SYNC, answered after every earlier frame); ref'd while it waits. */
  request(id: number, method: string, args: unknown[]): Promise<unknown>;
}

const RECHECK_MS = 50;
const noop = () => {};
const hosted = new Map<string, HostedServer>();
const waiters = new Set<IdleWaiter>();
// Per client: its `hold.activity` right after its last SYNC's answer (absent until it is answered).
const synced = new Map<IdleWaiter, number>();
let watching = false;

/** The key of a manager connection: one client per thread, address and authkey. */
export function managerKey(address: Address, authkey: string): string {
  return `${JSON.stringify(address)}|${authkey}`;
}

/** Records that this thread serves the manager at `key` (until {@link unhostServer}). */
export function hostServer(key: string, server: HostedServer): void {
  hosted.set(key, server);
}

export function unhostServer(key: string, server: HostedServer): void {
  if (hosted.get(key) === server) hosted.delete(key);
}

/** Whether this thread serves the manager at `key`: its unbounded waits may go idle. */
export function isHosted(key: string): boolean {
  return hosted.has(key);
}

/** Watches a client that has an idle wait pending. */
export function watchIdleWaits(w: IdleWaiter): void {
  waiters.add(w);
  if (!watching) {
    watching = true;
    process.on('beforeExit', onLoopDry);
  }
}

function othersAlive(): boolean {
  const hook = (globalThis as Record<symbol, unknown>)[Symbol.for('multiproc.threadsAlive')];
  return typeof hook === 'function' && hook() === true;
}

function onLoopDry(): void {
  let recheck = false;
  let retry = false;
  for (const w of [...waiters]) {
    if (w.dead || w.hold.idle === 0) {
      waiters.delete(w);
      synced.delete(w);
      continue;
    }
    const server = hosted.get(w.key);
    if (server === undefined) {
      // Shut down: the socket's close, which rejects the waits with ManagerClosedError, is on its way.
      w.expectAnswers(w.hold.idle);
    } else if (server.connections > 1 || othersAlive()) {
      recheck = true;
    } else if (synced.get(w) !== w.hold.activity) {
      // Something moved since the last SYNC (or none was sent): one more round trip first. Its
      // mark is what `activity` will be once its answer is read if nothing else moves meanwhile
      // (read at the answer would count a call a continuation ran in the same turn, unread).
      synced.delete(w);
      const answered = w.request(0, SYNC, []);
      const mark = w.hold.activity + 1;
      void answered.then(() => synced.set(w, mark), noop);
    } else {
      const n = server.abandonWaits();
      if (n > 0) w.expectAnswers(n);
      else retry = true; // its frame is not read yet: one short turn reads it
    }
  }
  // Node emits 'beforeExit' again only after a turn that had work: a timer is that work.
  if (recheck) setTimeout(noop, RECHECK_MS);
  else if (retry) setTimeout(noop, 1);
  else if (waiters.size > 0) setTimeout(noop, 0);
}
