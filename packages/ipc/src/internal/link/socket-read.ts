/**
 * Reading a socket's descriptor synchronously, beside libuv (socket-link.ts): a copy waiting for
 * its home's answer (`waitSync`), a link's last frames at exit, and a home taking a copy's frames
 * that are in the kernel already (`readNow`). Non-blocking reads, with sleeps between them.
 */
import { readSync } from 'node:fs';

const SLEEP = new Int32Array(new SharedArrayBuffer(4));
// Polls wait this long at first (ms), doubling while nothing comes, up to MAX.
const MIN_POLL_MS = 0.02;
const MAX_POLL_MS = 1;
/** The buffer synchronous reads go into: its bytes are copied out before the next read. */
const SYNC_READ = new Uint8Array(64 * 1024);

/** Sleeps `ms` (a fraction too) without yielding to the event loop. */
export function sleepSync(ms: number): void {
  Atomics.wait(SLEEP, 0, 0, ms);
}

/** One non-blocking read: bytes read, 0 at the end of the stream, -1 when nothing is there yet. */
export function readSync0(fd: number, buf: Uint8Array): number {
  try {
    return readSync(fd, buf, 0, buf.byteLength, null);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EAGAIN') return -1;
    return 0;
  }
}

/**
 * Hands `onChunk` what the kernel holds for `fd` now (in {@link SYNC_READ}), waiting up to `waitMs`
 * for the first bytes; whether any came. Stops at the end of the stream or when `stop()` says so.
 */
export function readAvailable(
  fd: number,
  waitMs: number,
  onChunk: (chunk: Uint8Array) => void,
  stop: () => boolean,
): boolean {
  const deadline = performance.now() + waitMs;
  let pause = MIN_POLL_MS;
  let read = false;
  for (;;) {
    const n = readSync0(fd, SYNC_READ);
    if (n > 0) {
      read = true;
      onChunk(SYNC_READ.subarray(0, n));
      if (n < SYNC_READ.byteLength || stop()) return true;
      continue;
    }
    // At the end of the stream ('close' says it), after what came, or once time is up.
    if (n === 0 || read || performance.now() >= deadline) return read;
    sleepSync(pause);
    pause = Math.min(MAX_POLL_MS, pause * 2);
  }
}
