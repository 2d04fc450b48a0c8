/**
 * Writing the frame the manager wire just encoded (rpc.ts) to a socket, on both sides. When the
 * socket has nothing queued, the frame goes straight into the kernel with one `write(2)` on the
 * socket's descriptor, from the encoding buffer: no copy, no stream machinery, no callback turn
 * (a manager call is a few dozen bytes, and this path was most of the JS of a round trip). What
 * the kernel does not take (its buffer full), or a socket whose descriptor this cannot reach
 * (Windows pipes), goes through the socket's stream as a copy, after anything queued there, so
 * the order of frames holds either way. An error of the direct write (the peer gone) is left to
 * the stream write that follows, which reports it as it always did.
 */
import { writeSync } from 'node:fs';
import type net from 'node:net';
import { encoded, shrink } from './rpc.js';

type WithHandle = { _handle?: { fd?: number } | null };

/**
 * Writes the `n` bytes just encoded to `socket`: null when they are in the kernel now, else they
 * are queued in the socket's stream and the promise resolves once they leave it.
 */
export function sendFrame(socket: net.Socket, n: number): Promise<void> | null {
  const buf = encoded();
  let done = 0;
  if (socket.writableLength === 0) {
    // A closed socket has no handle, so a descriptor number another file reuses is never written.
    const fd = (socket as unknown as WithHandle)._handle?.fd;
    if (fd !== undefined && fd >= 0) {
      try {
        done = writeSync(fd, buf, 0, n);
      } catch {
        done = 0; // EAGAIN (the kernel's buffer is full), or an error the stream write reports
      }
    }
  }
  if (done === n) {
    if (n > 4096) shrink();
    return null;
  }
  const rest = Buffer.from(buf.subarray(done, n));
  shrink();
  return new Promise((resolve) => socket.write(rest, () => resolve()));
}
