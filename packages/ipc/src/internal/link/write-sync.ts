/**
 * Synchronous writes to a socket's non-blocking descriptor, for the moments the event loop will not
 * run (a process's exit, a copy waiting synchronously for its home's answer).
 */
import { writeSync } from 'node:fs';

const SLEEP = new Int32Array(new SharedArrayBuffer(4));

/**
 * Whether a write to a connected socket failed because its other side closed its end (EPIPE,
 * ECONNRESET): writing ends there, reading goes on (what that side wrote before is still unread).
 */
export function peerClosed(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'EPIPE' || code === 'ECONNRESET';
}

// Writes all of `chunk` to a non-blocking fd, waiting a millisecond at a time while the kernel's
// buffer is full, until `deadline`.
export function writeAllSync(fd: number, chunk: Uint8Array, deadline: number): boolean {
  return writeSomeSync(fd, chunk, deadline) === chunk.byteLength;
}

// As writeAllSync; returns how many bytes were written (fewer on an error or past the deadline).
export function writeSomeSync(fd: number, chunk: Uint8Array, deadline: number): number {
  let off = 0;
  while (off < chunk.byteLength) {
    try {
      off += writeSync(fd, chunk, off, chunk.byteLength - off);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN' || Date.now() > deadline) return off;
      Atomics.wait(SLEEP, 0, 0, 1);
    }
  }
  return off;
}
