/**
 * Manager frames (rpc.ts) on a socket, on both sides: writing the frame just encoded, and
 * splitting what is read into whole frames.
 *
 * Writing: when the socket has nothing queued, the frame goes straight into the kernel with one
 * `write(2)` on the socket's descriptor, from the encoding buffer: no copy, no stream machinery,
 * no callback turn (a manager call is a few dozen bytes, and this path was most of the JS of a
 * round trip). What the kernel does not take (its buffer full), or a socket whose descriptor
 * this cannot reach (Windows pipes), goes through the socket's stream as a copy, after anything
 * queued there, so the order of frames holds either way.
 *
 * A direct write refused because the other side closed its end (EPIPE, ECONNRESET) ends writing
 * to that socket, not the socket: Node destroys a socket whose write fails, and what the other
 * side wrote before it closed, still unread in this side's kernel buffer, would be dropped (a
 * client's last writes and its ENDS_NORMALLY, when the server answered it before reading them).
 * Later frames for it are dropped (nobody can read them); it reads on to its end. A socket that
 * can no longer be written (ended) gets nothing either: a write after its end destroys it too.
 */
import { writeSync } from 'node:fs';
import type net from 'node:net';
import { peerClosed } from '../link/write-sync.js';
import { encoded, HEADER_BYTES, shrink } from './rpc.js';

/** The largest frame either side accepts (a bigger length means a broken or hostile peer). */
const MAX_FRAME_BYTES = 0x7fff_ffff;

type WithHandle = { _handle?: { fd?: number } | null };

// Sockets whose other side refused a write (closed its end): nothing more is written to them.
const peerGone = new WeakSet<net.Socket>();

/**
 * Writes the `n` bytes just encoded to `socket`: null when they are in the kernel now (or dropped:
 * the socket can no longer be written, or its other side closed its end), else they are queued in
 * the socket's stream and the promise resolves once they leave it.
 */
export function sendFrame(socket: net.Socket, n: number): Promise<void> | null {
  const buf = encoded();
  let done = 0;
  if (!socket.writable || peerGone.has(socket)) {
    done = n; // dropped: nobody can read it
  } else if (socket.writableLength === 0) {
    // A closed socket has no handle, so a descriptor number another file reuses is never written.
    const fd = (socket as unknown as WithHandle)._handle?.fd;
    if (fd !== undefined && fd >= 0) {
      try {
        done = writeSync(fd, buf, 0, n);
      } catch (err) {
        // EAGAIN: the kernel's buffer is full; the stream writes it later. Anything else but a
        // closed other side (connected): the stream write reports it.
        if (peerClosed(err)) {
          peerGone.add(socket);
          done = n; // dropped; the socket reads on
        } else done = 0;
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

/** Called once per whole frame, with its body at `buf[start, end)`. */
export type OnFrame = (seq: number, tag: number, buf: Buffer, start: number, end: number) => void;

/**
 * Splits a socket's chunks into frames; a chunk that holds whole frames costs no copy. A frame
 * that spans chunks is copied once, into a buffer of its own whose size its header gives, so a big
 * value costs its size (joining each chunk to what came before would copy it once per chunk).
 */
export class FrameSplitter {
  readonly #onFrame: OnFrame;
  // A frame's first bytes, too few to give its length.
  #rest: Buffer | null = null;
  // The frame being filled chunk by chunk, and how many of its bytes came so far.
  #frame: Buffer | null = null;
  #filled = 0;

  constructor(onFrame: OnFrame) {
    this.#onFrame = onFrame;
  }

  /**
   * Feeds the next chunk; throws a RangeError for a frame length no peer of ours would send. With
   * `reused`, the chunk's memory is read into again afterwards, so an unfinished frame is copied.
   */
  push(chunk: Buffer, reused = false): void {
    let buf = chunk;
    const frame = this.#frame;
    if (frame !== null) {
      const n = Math.min(frame.length - this.#filled, chunk.length);
      chunk.copy(frame, this.#filled, 0, n);
      this.#filled += n;
      if (this.#filled < frame.length) return;
      this.#frame = null;
      this.#emit(frame, 0, frame.length);
      if (n === chunk.length) return;
      buf = chunk.subarray(n);
    } else if (this.#rest !== null) {
      buf = Buffer.concat([this.#rest, chunk]);
      this.#rest = null;
    }
    let start = 0;
    while (buf.length - start >= 4) {
      const n = buf.readUInt32LE(start);
      if (n < HEADER_BYTES - 4 || n > MAX_FRAME_BYTES) throw new RangeError(`Bad manager frame length ${n}.`);
      const end = start + 4 + n;
      if (end > buf.length) {
        // Unfinished: its bytes so far into a buffer of the frame's size, filled by the next chunks.
        const f = Buffer.allocUnsafe(4 + n);
        this.#filled = buf.copy(f, 0, start);
        this.#frame = f;
        return;
      }
      this.#emit(buf, start, end);
      start = end;
    }
    if (start < buf.length) {
      this.#rest = reused && buf === chunk ? Buffer.from(buf.subarray(start)) : buf.subarray(start);
    }
  }

  #emit(buf: Buffer, start: number, end: number): void {
    this.#onFrame(buf.readUInt32LE(start + 4), buf[start + 8]!, buf, start + HEADER_BYTES, end);
  }
}
