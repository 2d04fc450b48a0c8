/**
 * Length-prefixed frames: the one wire format of every link (a MessagePort batch or a Unix socket
 * stream). Writers coalesce the frames of one tick into one chunk; readers split chunks back into
 * frames, across chunk boundaries for streams.
 *
 * ```
 * offset 0        4     5          9          13
 *        | length | op  | a (u32)  | b (i32)  | body …            |
 *        '- whole frame, header included
 * ```
 * `a` and `b` are small op arguments (a sequence number, a credit, a timeout); `body` is an item
 * (one kind byte, see serialize.ts, then its payload) or a token.
 */

import { type Item, isDecoded } from '../protocol/item.js';
import type { FrameHandler } from '../protocol/ops.js';
import { copyBytes, unzeroedBytes } from '../unzeroed.js';

export const HEADER_BYTES = 13;
/** The kind byte written before a string payload (JSON text; see serialize.ts). */
export const STRING_KIND = 3;
/** The kind byte written before the bytes of `sendBytes()`. */
export const BYTES_KIND = 2;
const encoder = new TextEncoder();
const INITIAL_CAPACITY = 16 * 1024;
/** A received frame this big is copied out of a read buffer into memory of its own. */
const OWN_FRAME_BYTES = 16 * 1024;

/** Collects frames into one growing buffer; `take()` hands the buffer over and starts a new one. */
export class FrameWriter {
  #buf = new Uint8Array(INITIAL_CAPACITY);
  #view = new DataView(this.#buf.buffer);
  #len = 0;

  get size(): number {
    return this.#len;
  }

  /** Appends a frame; a string payload is written as STRING_KIND then its UTF-8 bytes. */
  frame(op: number, a: number, b: number, item?: Item): void {
    // A decoded value is JSON-exact: on a stream it travels as its JSON text.
    const payload = item !== undefined && isDecoded(item) ? JSON.stringify(item.value) : item;
    const at = this.#len;
    let p = at + HEADER_BYTES;
    if (typeof payload === 'string') {
      this.#reserve(HEADER_BYTES + 1 + payload.length * 3);
      this.#buf[p++] = STRING_KIND;
      p += encoder.encodeInto(payload, this.#buf.subarray(p)).written;
    } else {
      this.#reserve(HEADER_BYTES + 1 + (payload?.length ?? 0));
      if (payload) {
        this.#buf.set(payload, p);
        p += payload.length;
      }
    }
    this.#header(at, p - at, op, a, b);
    this.#len = p;
  }

  /**
   * Appends the header of a frame whose `bodyBytes`-byte body the caller writes next, separately;
   * with `kind`, the body's first byte (an item's kind, counted in `bodyBytes`) is written here.
   */
  header(op: number, a: number, b: number, bodyBytes: number, kind?: number): void {
    this.#reserve(HEADER_BYTES + 1);
    this.#header(this.#len, HEADER_BYTES + bodyBytes, op, a, b);
    this.#len += HEADER_BYTES;
    if (kind !== undefined) this.#buf[this.#len++] = kind;
  }

  #header(at: number, total: number, op: number, a: number, b: number): void {
    const v = this.#view;
    v.setUint32(at, total, true);
    v.setUint8(at + 4, op);
    v.setUint32(at + 5, a >>> 0, true);
    v.setInt32(at + 9, b | 0, true);
  }

  /** The frames written so far, in a buffer the caller now owns (exactly sized), or null if none. */
  take(): Uint8Array | null {
    const len = this.#len;
    if (len === 0) return null;
    this.#len = 0;
    // Small batches (the latency case) are copied out so the writer's buffer is reused; big
    // ones are handed over whole rather than copied.
    if (len < this.#buf.length / 2) return this.#buf.slice(0, len);
    const out = this.#buf.subarray(0, len);
    this.#buf = new Uint8Array(Math.max(INITIAL_CAPACITY, Math.min(this.#buf.length, 1 << 20)));
    this.#view = new DataView(this.#buf.buffer);
    return out;
  }

  #reserve(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    let cap = this.#buf.length * 2;
    while (cap < this.#len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }
}

/** Splits a byte stream into frames. */
export class FrameReader {
  // A frame that spans chunks is assembled here; `#have` bytes of it are filled so far.
  #partial: Uint8Array | null = null;
  #have = 0;
  // Fewer than 4 bytes of the next frame's length.
  #lenBytes: Uint8Array | null = null;

  /**
   * Where the next read of the stream can go straight to: the rest of a frame being assembled, if
   * at least `min` bytes of it are missing (a big message is then read into its own memory, not
   * into a read buffer and copied out), else null. Report such a read with {@link filled}.
   */
  directTarget(min: number): Uint8Array | null {
    const part = this.#partial;
    return part !== null && part.length - this.#have >= min ? part.subarray(this.#have) : null;
  }

  /** Counts `n` bytes read into the last {@link directTarget}, emitting the frame once whole. */
  filled(n: number, onFrame: FrameHandler): void {
    const part = this.#partial!;
    this.#have += n;
    if (this.#have < part.length) return;
    this.#partial = null;
    emit(part, 0, onFrame);
  }

  /**
   * Feeds the next chunk of the stream. With `reused`, the chunk's memory is read into again
   * afterwards, so every frame is copied out; otherwise frames are views into it.
   */
  push(chunk: Uint8Array, onFrame: FrameHandler, reused = false): void {
    let off = 0;
    if (this.#lenBytes) {
      const need = 4 - this.#lenBytes.length;
      const joined = new Uint8Array(this.#lenBytes.length + Math.min(need, chunk.length));
      joined.set(this.#lenBytes);
      joined.set(chunk.subarray(0, need), this.#lenBytes.length);
      off = Math.min(need, chunk.length);
      if (joined.length < 4) {
        this.#lenBytes = joined;
        return;
      }
      this.#lenBytes = null;
      const total = readU32(joined, 0);
      this.#partial = unzeroedBytes(total);
      this.#partial.set(joined);
      this.#have = 4;
    }
    if (this.#partial) {
      const part = this.#partial;
      const n = Math.min(part.length - this.#have, chunk.length - off);
      part.set(chunk.subarray(off, off + n), this.#have);
      this.#have += n;
      off += n;
      if (this.#have < part.length) return;
      this.#partial = null;
      emit(part, 0, onFrame);
    }
    // Copy the whole frames of a reused chunk out, small ones together (one allocation, not one
    // per frame), a big one alone: a block of several big frames is past malloc's mmap threshold
    // (128 KiB), so it would be mapped, faulted in page by page and unmapped again each time,
    // where single frames reuse the heap's freed memory.
    for (let end = off; reused; off = end) {
      while (chunk.length - end >= 4) {
        const n = readU32(chunk, end);
        if (chunk.length - end < n || (n >= OWN_FRAME_BYTES && end > off)) break;
        end += n;
        if (n >= OWN_FRAME_BYTES) break;
      }
      if (end === off) break;
      const own = copyBytes(chunk, off, end);
      for (let at = 0; at < own.length; at += readU32(own, at)) emit(own, at, onFrame);
    }
    while (off < chunk.length) {
      if (chunk.length - off < 4) {
        this.#lenBytes = chunk.slice(off);
        return;
      }
      const total = readU32(chunk, off);
      if (chunk.length - off < total) {
        this.#partial = unzeroedBytes(total);
        this.#partial.set(chunk.subarray(off));
        this.#have = chunk.length - off;
        return;
      }
      emit(chunk, off, onFrame);
      off += total;
    }
  }
}

function readU32(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

function emit(b: Uint8Array, at: number, onFrame: FrameHandler): void {
  const total = readU32(b, at);
  const a = readU32(b, at + 5);
  const bArg = readU32(b, at + 9) | 0;
  onFrame(b[at + 4]!, a, bArg, b.subarray(at + HEADER_BYTES, at + total));
}
