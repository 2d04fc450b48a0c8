/**
 * The output board: shared memory every thread of this program's process writes its output
 * through (`direct-output.ts`), so that lines from concurrent threads never mix inside a line.
 *
 * - A lock: a thread that writes a long line (more than a pipe's `PIPE_BUF`, 4096 bytes, which a
 *   pipe or a non-blocking descriptor may take in parts) or a line in several writes holds it, so
 *   that no other thread of the process writes in between: without it, a 20 KB line from one
 *   thread came out cut by lines from the others. A write of whole lines that fits `PIPE_BUF`,
 *   which the system keeps whole by itself (the common `console.log()`), only marks its thread's
 *   cell busy while it writes, and waits only while a thread holds the lock: threads that print
 *   short lines never wait for each other.
 * - Slots holding each thread's unfinished line (written without its newline yet), so that the
 *   thread that started a thread can write it out when that thread ends in a way that runs none of
 *   its code (`worker.terminate()`, the program ending under a daemon): it is never lost.
 *
 * The board is made by the first realm that needs it and handed to every thread started after
 * that, nested ones too, through `worker_threads`' environment data. A thread stopped while it
 * holds the lock is released by its parent when it sees the thread's 'exit', and, should that
 * parent be blocked itself, by any waiter once the holder has shown no sign of life for
 * {@link STALE_MS}.
 */

const KEY = 'multiproc.outputBoard';
/** Slots for unfinished lines; a thread uses one per descriptor while it has an unfinished line. */
const SLOTS = 64;
/** An unfinished line longer than this stays in its thread's memory (written if the thread exits). */
export const SLOT_BYTES = 4096;
/** Cells of threads that write short lines without the lock; a thread beyond them takes the lock. */
const CELLS = 128;
/** POSIX's `PIPE_BUF` on Linux: a pipe never splits a write of up to this many bytes. */
export const ATOMIC_WRITE_BYTES = 4096;
// Int32 layout: the lock (0, or the holder's tag), a heartbeat of writers, per cell its thread's
// tag (0: free) and whether it writes now, then per slot its owner's tag (0: free), descriptor
// and length.
const LOCK = 0;
const BEAT = 1;
const CELL_INTS = 2;
const CELLS_AT = 2;
const HEADER_INTS = CELLS_AT + CELLS * CELL_INTS;
const SLOT_INTS = 3;
/** How many times a thread tries the lock before it sleeps. */
const SPINS = 200;
/** How long a waiter sleeps between looks at the lock (a release wakes it earlier). */
const WAIT_MS = 20;
/** A holder whose heartbeat has not moved for this long is taken to be gone. */
const STALE_MS = 1000;
/** `EAGAIN`: the descriptor is a non-blocking pipe whose reader is behind; wait a little and retry. */
const RETRY_WAIT_MS = 1;

interface Board {
  readonly ints: Int32Array;
  readonly bytes: Uint8Array;
}

let board: Board | undefined;
/** This thread's tag on the board: its `threadId` + 1 (the main thread's is 1). */
let myTag = 0;
/** Index in `ints` of this thread's busy flag, -1 without a cell. */
let myBusy = -1;
let depth = 0;

function threadsModule(): typeof import('node:worker_threads') {
  return process.getBuiltinModule('node:worker_threads');
}

function attach(buffer: SharedArrayBuffer): Board {
  const headerBytes = (HEADER_INTS + SLOTS * SLOT_INTS) * 4;
  return { ints: new Int32Array(buffer, 0, headerBytes / 4), bytes: new Uint8Array(buffer, headerBytes) };
}

/**
 * This realm's board: the one its parent thread handed on, or a new one, which every thread
 * started from here after this call shares. Only in a thread, never in a forked child (it would
 * load `node:worker_threads` there, issue #18).
 */
export function outputBoard(): Board {
  if (board) return board;
  const threads = threadsModule();
  myTag = threads.threadId + 1;
  const inherited = threads.getEnvironmentData(KEY);
  if (inherited instanceof SharedArrayBuffer) board = attach(inherited);
  else {
    const buffer = new SharedArrayBuffer((HEADER_INTS + SLOTS * SLOT_INTS) * 4 + SLOTS * SLOT_BYTES);
    threads.setEnvironmentData(KEY, buffer);
    board = attach(buffer);
  }
  // Whatever the program's threads leave unfinished when it ends is written out then (a daemon's
  // last words). In a thread, its parent does that when it sees the thread end.
  if (threads.isMainThread) process.on('exit', () => rescueOutput(0));
  return board;
}

/** Claims a cell for this thread (a thread that writes output); false when all are taken. */
export function claimCell(): boolean {
  const { ints } = outputBoard();
  if (myBusy >= 0) return true;
  for (let cell = 0; cell < CELLS; cell++) {
    const at = CELLS_AT + cell * CELL_INTS;
    if (Atomics.compareExchange(ints, at, 0, myTag) !== 0) continue;
    myBusy = at + 1;
    return true;
  }
  return false;
}

/**
 * Writes whole lines of up to {@link ATOMIC_WRITE_BYTES} without the lock, unless a thread holds
 * it; false when it did not write (no cell, too long, or the lock held: take the lock then).
 */
export function writeShort(fd: number, data: Uint8Array): boolean {
  if (myBusy < 0 || data.length > ATOMIC_WRITE_BYTES) return false;
  const { ints } = board!;
  // Marked busy first, then the lock read; the lock taker takes it first, then reads the marks:
  // one of the two sees the other (sequentially consistent atomics).
  Atomics.store(ints, myBusy, 1);
  try {
    if (Atomics.load(ints, LOCK) !== 0) return false;
    writeAll(fd, data);
    return true;
  } finally {
    Atomics.store(ints, myBusy, 0);
    if (Atomics.load(ints, LOCK) !== 0) Atomics.notify(ints, myBusy);
  }
}

/** Takes the board's lock; a thread holds it while it writes (not re-entrant across threads). */
export function lockOutput(): void {
  const { ints } = outputBoard();
  if (depth++ > 0) return;
  acquire(ints);
  // Then the short writes under way end; new ones see the lock and wait for it.
  for (let cell = 0; cell < CELLS; cell++) {
    const busy = CELLS_AT + cell * CELL_INTS + 1;
    if (busy !== myBusy && Atomics.load(ints, busy) !== 0) waitWhile(ints, busy, 1);
  }
}

function acquire(ints: Int32Array): void {
  // A holder writes a line or a few: a short spin mostly finds the lock free, without a sleep.
  for (let spin = 0; spin < SPINS; spin++) if (Atomics.compareExchange(ints, LOCK, 0, myTag) === 0) return;
  let seen = -1;
  let beat = -1;
  let since = 0;
  for (;;) {
    const owner = Atomics.compareExchange(ints, LOCK, 0, myTag);
    if (owner === 0) return;
    const now = Date.now();
    const heartbeat = Atomics.load(ints, BEAT);
    if (owner !== seen || heartbeat !== beat) {
      seen = owner;
      beat = heartbeat;
      since = now;
    } else if (now - since > STALE_MS && Atomics.compareExchange(ints, LOCK, owner, myTag) === owner) return;
    Atomics.wait(ints, LOCK, owner, WAIT_MS);
  }
}

/** Waits while `ints[at]` is `value`, or until writers have shown no sign of life for {@link STALE_MS}. */
function waitWhile(ints: Int32Array, at: number, value: number): void {
  let beat = Atomics.load(ints, BEAT);
  let since = Date.now();
  for (let spin = 0; Atomics.load(ints, at) === value; spin++) {
    if (spin < SPINS) continue;
    Atomics.wait(ints, at, value, WAIT_MS);
    const heartbeat = Atomics.load(ints, BEAT);
    const now = Date.now();
    if (heartbeat !== beat) {
      beat = heartbeat;
      since = now;
    } else if (now - since > STALE_MS) return;
  }
}

export function unlockOutput(): void {
  if (--depth > 0) return;
  const { ints } = outputBoard();
  Atomics.store(ints, LOCK, 0);
  Atomics.notify(ints, LOCK, 1);
}

let writeSync: typeof import('node:fs').writeSync | undefined;

/** Writes all of `data` to `fd`, waiting out `EAGAIN`; call with the lock held (or a short write's cell busy). */
export function writeAll(fd: number, data: Uint8Array): void {
  // Read here, not imported: an ES import of `node:fs` loads Node's stream modules (issue #18).
  writeSync ??= process.getBuiltinModule('node:fs').writeSync;
  const { ints } = outputBoard();
  let offset = 0;
  for (;;) {
    try {
      offset += writeSync(fd, data, offset);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      Atomics.wait(ints, BEAT, Atomics.load(ints, BEAT), RETRY_WAIT_MS);
    }
    if (offset >= data.length) return;
    // Alive: a waiter must not take the lock from a writer whose reader is slow.
    Atomics.add(ints, BEAT, 1);
  }
}

/** Removes and returns this thread's unfinished line for `fd` from its slot; call with the lock held. */
export function takeSlot(fd: number): Buffer | null {
  const { ints, bytes } = outputBoard();
  for (let slot = 0; slot < SLOTS; slot++) {
    const at = HEADER_INTS + slot * SLOT_INTS;
    if (ints[at] !== myTag || ints[at + 1] !== fd) continue;
    ints[at] = 0;
    const start = slot * SLOT_BYTES;
    return Buffer.from(bytes.subarray(start, start + ints[at + 2]!));
  }
  return null;
}

/** Keeps `data` (this thread's unfinished line for `fd`) in a free slot; false when none fits it. */
export function putSlot(fd: number, data: Uint8Array): boolean {
  if (data.length > SLOT_BYTES) return false;
  const { ints, bytes } = outputBoard();
  for (let slot = 0; slot < SLOTS; slot++) {
    const at = HEADER_INTS + slot * SLOT_INTS;
    if (ints[at] !== 0) continue;
    bytes.set(data, slot * SLOT_BYTES);
    ints[at + 1] = fd;
    ints[at + 2] = data.length;
    ints[at] = myTag;
    return true;
  }
  return false;
}

/**
 * Writes out the unfinished lines a thread that has ended left on the board, and frees the lock
 * should it have ended holding it. `threadId` 0: every thread's (the program is ending).
 */
export function rescueOutput(threadId: number): void {
  if (!board || threadId < 0) return;
  const { ints, bytes } = board;
  const tag = threadId + 1;
  if (threadId !== 0) {
    if (Atomics.compareExchange(ints, LOCK, tag, 0) === tag) Atomics.notify(ints, LOCK, 1);
    // Its cell, free again, and not busy: it may have been stopped in the middle of a short write.
    for (let cell = 0; cell < CELLS; cell++) {
      const at = CELLS_AT + cell * CELL_INTS;
      if (Atomics.load(ints, at) !== tag) continue;
      Atomics.store(ints, at + 1, 0);
      Atomics.notify(ints, at + 1);
      Atomics.store(ints, at, 0);
    }
  }
  lockOutput();
  try {
    for (let slot = 0; slot < SLOTS; slot++) {
      const at = HEADER_INTS + slot * SLOT_INTS;
      const owner = ints[at]!;
      if (owner === 0 || (threadId !== 0 && owner !== tag)) continue;
      ints[at] = 0;
      const start = slot * SLOT_BYTES;
      try {
        writeAll(ints[at + 1]!, bytes.subarray(start, start + ints[at + 2]!));
      } catch {
        // A descriptor closed under us: nothing can be written anywhere else either.
      }
    }
  } finally {
    unlockOutput();
  }
}
