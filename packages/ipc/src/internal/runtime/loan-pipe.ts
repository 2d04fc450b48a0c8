/**
 * The cheap way to claim a loan from another process (loan-file.ts): a named pipe (FIFO) in the
 * loan's folder. Every change of a folder's names (the rename a claim is otherwise) costs ~4 µs of
 * kernel time here, a pipe read under 1 µs, and a work queue's consumer claims once per item.
 *
 * ```
 *   <folder>/pipe   the home writes one record per item lent (4 bytes: the loan word with `left`
 *                   n, n-1, … 1); a claim reads one, the home's take-back reads all that are left,
 *                   or only the oldest few that other consumers wait for (the copy claims on)
 * ```
 *
 * The kernel reads a pipe under one lock, and every read and write here is whole records (a write
 * of at most 4 KiB is atomic), so each record goes to exactly one reader: the copy's claim or the
 * home's take-back, as with a rename. Node cannot make a FIFO itself: the home runs the system's
 * `mkfifo` once per consumer that claimed from a loan (loans go by rename until then, and wherever
 * there is no `mkfifo`).
 */
import { closeSync, constants, openSync, readSync, writeSync } from 'node:fs';
import { existsReadable } from '../net/fs-permission.js';

/** The loan word's flag (bit 31, the frame's int32 sign): this loan is claimed from the pipe. */
export const PIPED = 1 << 31;
/** The most records a take-back reads at once (more than a loan has). */
const DRAIN = 512;

let tool: string | null | undefined;

// The system's mkfifo, by absolute path (no search of PATH, no shell); null where there is none.
function mkfifo(): string | null {
  tool ??= ['/usr/bin/mkfifo', '/bin/mkfifo'].find(existsReadable) ?? null;
  return tool;
}

/** Opens the pipe at `path` for reading and writing, never blocking; -1 when it cannot. */
export function openPipe(path: string): number {
  try {
    return openSync(path, constants.O_RDWR | constants.O_NONBLOCK);
  } catch {
    return -1;
  }
}

// Read when a pipe is made: `node:child_process` loads `net` and `dgram` too, ~3 ms that a program's
// first queue would pay at load (issue #18).
const childProcess = (): typeof import('node:child_process') =>
  process.getBuiltinModule('node:child_process');

/**
 * Makes the pipe at `path` (mode 0600), then calls `done` with it open (-1: none can be had).
 * `now`: synchronously (tests); else in the background, `done` called later.
 */
export function makePipe(path: string, now: boolean, done: (fd: number) => void): void {
  const bin = process.platform === 'linux' ? mkfifo() : null;
  const args = ['-m', '600', path];
  try {
    if (bin === null) done(-1);
    else if (!now)
      childProcess()
        .execFile(bin, args, { windowsHide: true }, (err) => done(err ? -1 : openPipe(path)))
        .unref();
    else {
      childProcess().execFileSync(bin, args, { stdio: 'ignore' });
      done(openPipe(path));
    }
  } catch {
    done(-1);
  }
}

/** Writes the records of loan `word` (`left` n … 1); false when the pipe would not take them whole. */
export function writeLoan(fd: number, word: number): boolean {
  const n = word & 0xfffff;
  const buf = Buffer.allocUnsafe(4 * n);
  for (let k = 0; k < n; k++) buf.writeInt32LE((word - k) | 0, 4 * k);
  try {
    return writeSync(fd, buf, 0, buf.length) === buf.length;
  } catch {
    return false;
  }
}

const one = Buffer.alloc(4);

/** Reads the next record; null when the pipe is empty (the home took the rest back). */
export function readRecord(fd: number): number | null {
  try {
    return readSync(fd, one, 0, 4, null) === 4 ? one.readInt32LE(0) : null;
  } catch {
    return null; // EAGAIN: empty
  }
}

const many = Buffer.alloc(4 * DRAIN);

/**
 * Reads the oldest `want` records of loan `seq` (the 11 bits above `left`; Infinity: all); returns
 * how many were left unclaimed then: the first one's `left`, as the copy claims from the oldest.
 */
export function takeRecords(fd: number, seq: number, want: number): number {
  let left = -1;
  let read = 0;
  while (read < want) {
    const bytes = 4 * Math.min(DRAIN, want - read);
    let got: number;
    try {
      got = readSync(fd, many, 0, bytes, null);
    } catch {
      break; // EAGAIN: none left
    }
    for (let at = 0; at + 4 <= got; at += 4) {
      const rec = many.readInt32LE(at);
      if (((rec >>> 20) & 0x7ff) !== seq) continue;
      if (left < 0) left = rec & 0xfffff;
      read++;
    }
    if (got < bytes) break;
  }
  return Math.max(left, 0);
}

/** Closes a pipe opened here (-1: none). */
export function closePipe(fd: number): void {
  if (fd < 0) return;
  try {
    closeSync(fd);
  } catch {}
}
