/**
 * Owner death seen from a blocked wait (Linux): a worker thread that runs out of memory under
 * `resourceLimits` (or is terminated) runs no JavaScript at its end, so it cannot give back what it
 * holds (owner.ts), and its host sees its 'exit' only when its own event loop runs, which a host
 * asleep in `acquireSync()` on that very share cannot do. So such a wait sleeps in slices
 * (roster-wait.ts) and, between them, asks the kernel whether the holder's OS thread still
 * exists: threads of a process are reaped as they exit (an exited thread's `/proc/self/task/<tid>`
 * is gone within the thread's own end, whether or not Node has joined it yet).
 *
 * The holder's owner id (owner.ts) is mapped to its kernel thread by a roster in shared memory,
 * which travels with every owner-bound primitive sent to a thread (codec.ts); each worker thread
 * that learns of a roster writes its row there. A thread that reaches its own 'exit' (it gave back
 * by itself, by the rule of how it ended) removes its rows, so a row whose thread is gone names a
 * thread that ended without running its exit handlers: out of memory, terminated. Those failed.
 *
 * Words (Int32):
 *
 *   [0]            ID       random, non-zero: tells rosters apart (a received buffer is a new object)
 *   [4 + 4i]       OWNER    0 free | -id being written | id: the owner id of the thread of this row
 *   [4 + 4i + 1]   TID      its kernel thread id
 *   [4 + 4i + 2,3] START    its start time (/proc/.../stat field 22, clock ticks), high and low 31 bits
 *
 * A tid reused by a later thread has a later start time, so a row never names the wrong thread.
 * Elsewhere (no `/proc`, a browser) there is no roster, and a blocked wait behaves as before.
 */
import type { CodecTarget } from '../codec-types.js';
import { getOwnerId } from '../owner.js';
import { isAbandonable } from './protocol.js';

const ROWS = 256;
const BASE = 4;
const ROSTER_BYTES = 4 * (BASE + 4 * ROWS);
const HIGH = 0x8000_0000;

interface ProcFs {
  readFileSync(path: string, encoding: 'latin1'): string;
  readlinkSync(path: string): string;
}

/** This realm's rosters and its own rows; on `globalThis`, so two copies of the package agree. */
interface Realm {
  /** Every roster this thread knows, created here or received. */
  rosters: Int32Array[];
  /** Their buffers, as sent (one array for every send). */
  buffers: SharedArrayBuffer[];
  /** This thread's kernel thread id and start time (null: none, not Linux, or not a worker). */
  self: { tid: number; start: number } | null | undefined;
  hooked: boolean;
}

const REALM_KEY = Symbol.for('multiproc.threadRoster');
const realm: Realm = ((globalThis as Record<symbol, Realm | undefined>)[REALM_KEY] ??= {
  rosters: [],
  buffers: [],
  self: undefined,
  hooked: false,
});

type NodeProcess = {
  platform?: string;
  getBuiltinModule?: (id: string) => unknown;
  on?: (event: 'exit', fn: () => void) => void;
};
const proc = (globalThis as { process?: NodeProcess }).process;
let fs: ProcFs | null | undefined;

/** Node's fs on Linux, found without importing `node:*` (this package also runs in browsers). */
function procFs(): ProcFs | null {
  if (fs === undefined) {
    const ok = proc?.platform === 'linux' && typeof proc.getBuiltinModule === 'function';
    fs = ok ? ((proc.getBuiltinModule!('node:fs') as ProcFs | undefined) ?? null) : null;
  }
  return fs;
}

/** A thread's start time; `null` when it no longer exists, `undefined` when that cannot be told. */
function startTime(f: ProcFs, tid: number): number | null | undefined {
  try {
    const stat = f.readFileSync(`/proc/self/task/${tid}/stat`, 'latin1');
    // Its name (field 2) may hold spaces and ')': count fields from the last ')'.
    const start = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    return Number.isFinite(start) ? start : undefined;
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    return code === 'ENOENT' || code === 'ESRCH' ? null : undefined;
  }
}

/** This thread's kernel thread and start time; null in the main thread (its end is the process's). */
function selfTask(): Realm['self'] {
  if (realm.self !== undefined) return realm.self;
  realm.self = null;
  const f = procFs();
  if (f === null || getOwnerId() === 1) return null;
  try {
    const link = f.readlinkSync('/proc/thread-self'); // "<pid>/task/<tid>"
    const tid = Number(link.slice(link.lastIndexOf('/') + 1));
    const start = Number.isInteger(tid) && tid > 0 ? startTime(f, tid) : undefined;
    if (typeof start === 'number') realm.self = { tid, start };
  } catch {
    // No /proc/thread-self (Linux before 3.17, a sandbox): this thread is not watched.
  }
  return realm.self;
}

function rowOf(r: Int32Array, owner: number): number {
  const first = owner % ROWS;
  for (let k = 0; k < ROWS; k++) {
    const at = BASE + 4 * ((first + k) % ROWS);
    if (Atomics.load(r, at) === owner) return at;
  }
  return -1;
}

/** Writes this thread's row in `r`; a full roster reuses the row of a thread that no longer exists. */
function enter(r: Int32Array, f: ProcFs, self: { tid: number; start: number }): void {
  const me = getOwnerId();
  if (rowOf(r, me) >= 0) return;
  const first = me % ROWS;
  let at = -1;
  for (let k = 0; k < ROWS && at < 0; k++) {
    const i = BASE + 4 * ((first + k) % ROWS);
    if (Atomics.compareExchange(r, i, 0, -me) === 0) at = i;
  }
  for (let k = 0; k < ROWS && at < 0; k++) {
    const i = BASE + 4 * k;
    const o = Atomics.load(r, i);
    if (o > 0 && threadGone(r, i, f) && Atomics.compareExchange(r, i, o, -me) === o) at = i;
  }
  if (at < 0) return; // more than ROWS threads at once: this one is not watched
  Atomics.store(r, at + 1, self.tid);
  Atomics.store(r, at + 2, Math.floor(self.start / HIGH));
  Atomics.store(r, at + 3, self.start % HIGH);
  Atomics.store(r, at, me);
  if (!realm.hooked && typeof proc?.on === 'function') {
    realm.hooked = true;
    // Reaching 'exit' means this thread gave back by itself (owner.ts): its rows must not say it failed.
    proc.on('exit', () => {
      for (const roster of realm.rosters) {
        const row = rowOf(roster, me);
        if (row >= 0) Atomics.compareExchange(roster, row, me, 0);
      }
    });
  }
}

/** Whether the thread of the row at `at` no longer exists (its tid gone, or reused by a later thread). */
function threadGone(r: Int32Array, at: number, f: ProcFs): boolean {
  const start = startTime(f, Atomics.load(r, at + 1));
  if (start === undefined) return false;
  return start === null || start !== Atomics.load(r, at + 2) * HIGH + Atomics.load(r, at + 3);
}

function learn(r: Int32Array): void {
  const id = Atomics.load(r, 0);
  if (id === 0 || realm.rosters.some((known) => Atomics.load(known, 0) === id)) return;
  realm.rosters.push(r);
  realm.buffers = realm.rosters.map((known) => known.buffer as SharedArrayBuffer);
  const f = procFs();
  const self = selfTask();
  if (f !== null && self) enter(r, f, self);
}

/**
 * The codec record of `obj` for `target`, given the rosters this thread knows (creating its first
 * one) when `obj` is an owner-bound primitive going to a thread and this platform has `/proc`.
 */
export function withRosters<R extends object>(obj: object, target: CodecTarget, record: R): R {
  if (target !== 'thread' || !isAbandonable(obj) || procFs() === null) return record;
  if (realm.rosters.length === 0) {
    const r = new Int32Array(new SharedArrayBuffer(ROSTER_BYTES));
    do Atomics.store(r, 0, (Math.random() * 0x7fff_ffff) | 0);
    while (Atomics.load(r, 0) === 0);
    learn(r);
  }
  return Object.assign(record, { rosters: realm.buffers });
}

/** Takes the rosters a received record carries (see {@link withRosters}); this thread enters each. */
export function adoptRosters(rosters: unknown): void {
  if (!Array.isArray(rosters)) return;
  for (const sab of rosters) {
    if (sab instanceof SharedArrayBuffer && sab.byteLength === ROSTER_BYTES) learn(new Int32Array(sab));
  }
}

/**
 * Whether this thread knows a roster (and can read `/proc`): a blocked wait may then watch holders.
 * @internal
 */
export function watchesThreads(): boolean {
  return realm.rosters.length > 0 && procFs() !== null;
}

/**
 * What is known of the thread `owner`: `'gone'` when it has a row and its kernel thread no longer
 * exists (it ended without running its exit handlers: out of memory, terminated), `'alive'` when
 * it has a row and still runs, `'unknown'` without a row (the main thread, an untracked thread).
 * @internal
 */
export function holderThread(owner: number): 'gone' | 'alive' | 'unknown' {
  const f = procFs();
  if (f === null || owner <= 1) return 'unknown';
  let state: 'alive' | 'unknown' = 'unknown';
  for (const r of realm.rosters) {
    const at = rowOf(r, owner);
    if (at < 0) continue;
    if (threadGone(r, at, f)) return 'gone';
    state = 'alive';
  }
  return state;
}
