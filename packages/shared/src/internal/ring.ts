/**
 * The memory layout of a `ByteChannel` and the copy of one frame in or out of it.
 *
 * Layout (byte offsets):
 *
 *   0   USED      Int32  bit 30: closed; bits 0-29: bytes in use (frames + padding). The one word
 *                         every side sleeps on, so close() and each message both wake sleepers
 *   4   HEAD      Int32  read offset into DATA (touched by the reader holding the read side)
 *   8   TAIL      Int32  write offset into DATA (touched by the writer holding the write side)
 *   12  WNEED     Int32  free bytes the writer asleep on USED waits for (see ring-wait.ts)
 *   16  RWAIT     Int32  readers asleep on USED        20  WWAIT  writers asleep on USED
 *   24  COUNT     Int32  messages queued               28  MULTI  1 for many producers/consumers
 *   32  read mutex (16 bytes)    48  write mutex (16 bytes)
 *   64  DATA      capacity rounded up to 8, plus 8: frames [len:Int32][spare:Int32][payload][pad to 8]
 *
 * A frame's 8-byte header is always 8-aligned, so it never wraps; its payload may wrap to offset 0.
 * Payloads start 8-aligned because V8 copies into and out of shared memory 8 bytes at a time only
 * when source and target agree mod 8, and byte by byte otherwise: a 64 KiB `set` at offset 4 mod 8
 * measured 50-75 us against 3-7 us aligned (Node 20 and 22).
 * The writer copies first and publishes with `Atomics.add(USED)`; the reader copies, then frees
 * with `Atomics.sub(USED)`, so a side that dies mid-copy never exposes half a message. With
 * `multi`, the mutexes serialise writers among themselves and readers among themselves (so at
 * most one writer waits for room at a time, and WNEED is its alone).
 */
import type { BufferClass } from './value-kinds.js';

// Node's Buffer, read as value-kinds.ts reads it: this module is loaded on first use, and a value
// (not a type) it took from there would have to be exported by the package's index.
const NodeBuffer = (globalThis as { Buffer?: BufferClass }).Buffer;

export const USED = 0;
const HEAD = 1;
const TAIL = 2;
export const WNEED = 3;
export const RWAIT = 4;
export const WWAIT = 5;
export const COUNT = 6;
export const MULTI = 7;
export const READ_MUTEX = 32;
export const WRITE_MUTEX = 48;
export const HEADER_BYTES = 64;
export const CLOSED_BIT = 1 << 30;
export const USED_MASK = CLOSED_BIT - 1;

/** Bytes of a frame's header (the length word and a spare word, so payloads start 8-aligned). */
export const FRAME_HEADER = 8;
/** Bytes a message of `len` bytes takes in the ring: header, payload, padding to 8. */
export const frameBytes = (len: number): number => FRAME_HEADER + ((len + 7) & ~7);

/** Views over one channel's memory. */
export interface Ring {
  /** The header words. */
  readonly h: Int32Array;
  /** DATA as bytes. */
  readonly u8: Uint8Array;
  /** DATA as Int32 words, for the length headers. */
  readonly d32: Int32Array;
  /** DATA's size in bytes (a multiple of 8). */
  readonly size: number;
  /** The last message this thread's reader copied into memory of its own (see `freshBytes`). */
  held: Uint8Array | undefined;
}

/** Builds the views over `sab`. */
export function ringOf(sab: SharedArrayBuffer): Ring {
  return {
    h: new Int32Array(sab, 0, HEADER_BYTES / 4),
    u8: new Uint8Array(sab, HEADER_BYTES),
    d32: new Int32Array(sab, HEADER_BYTES),
    size: sab.byteLength - HEADER_BYTES,
    held: undefined,
  };
}

/** Appends one frame; the caller checked there are `need` free bytes and holds the write side. */
export function writeFrame(r: Ring, bytes: Uint8Array, need: number): void {
  const { h, u8, size } = r;
  const tail = h[TAIL]!;
  const len = bytes.byteLength;
  r.d32[tail >> 2] = len;
  const off = tail + FRAME_HEADER === size ? 0 : tail + FRAME_HEADER;
  const first = size - off;
  if (len <= first) copyInto(u8, bytes, off);
  else {
    copyInto(u8, bytes.subarray(0, first), off);
    copyInto(u8, bytes.subarray(first), 0);
  }
  h[TAIL] = (tail + need) % size;
  Atomics.add(h, COUNT, 1);
  // Publishing USED last makes the frame (and TAIL) visible to the reader all at once.
  Atomics.add(h, USED, need);
  if (Atomics.load(h, RWAIT) !== 0) Atomics.notify(h, USED);
}

/** The byte length of the oldest frame; the caller checked there is one and holds the read side. */
export function peekLength(r: Ring): number {
  return r.d32[r.h[HEAD]! >> 2]!;
}

// From this size on, a new message's memory comes from Node's `Buffer.allocUnsafeSlow` (not
// zero-filled first, as `new Uint8Array(n)` and `slice` are; the copy overwrites it all anyway).
// Smaller arrays live on V8's heap, where allocating is cheaper than any call out.
const UNZEROED_FROM = 4096;

// Up to this size, the reader keeps the last message it allocated referenced until it allocates the
// next one (`Ring.held`; it never touches it). Why: Node's memory on Linux comes from glibc's
// malloc, one arena per thread, and a free that leaves more than 128 KiB free at an arena's top
// gives it back to the kernel (MADV_DONTNEED). V8 frees dead messages in bulk after each GC, so
// the reader's arena was trimmed by megabytes at a time and the next messages were copied into
// fresh pages: 1.5-4.9 page faults per 64 KiB message (about 2 µs each) in the bench's reader.
// The newest message is often what sits at the arena's top; alive, it stops most of those trims:
// page faults per 64 KiB message 3.2 -> 0.3 and the reader's CPU 15.8 -> 9.4 µs (medians of 9
// alternated runs, Node 20, 2 cores). Larger messages mostly get a mapping of their own from
// malloc, where holding one would gain nothing and keep more memory alive.
const HOLD_UP_TO = 256 * 1024;

/** A new, plain `Uint8Array` of `len` bytes whose contents the caller overwrites in full. */
function freshBytes(r: Ring, len: number): Uint8Array {
  if (NodeBuffer === undefined || len < UNZEROED_FROM) return new Uint8Array(len);
  const out = new Uint8Array(NodeBuffer.allocUnsafeSlow(len).buffer, 0, len);
  if (len <= HOLD_UP_TO) r.held = out;
  return out;
}

type Fill = (this: Uint8Array, value: Uint8Array, start: number, end: number) => unknown;

// From this size on, bytes are copied into and out of the ring with Node's `Buffer#fill` given a
// Uint8Array (one native memcpy) rather than `TypedArray#set`, which copies to or from shared memory
// with V8's relaxed word-by-word loop: for 64 KiB 1.3-2.2 µs against 2.4-5.7 µs of CPU (Node 20, 22
// and 24, either direction); at 4 KiB 0.15-0.18 µs against 0.28-0.47; at 1 KiB the call's checks cost
// more than they save. Found at run time and checked once: where there is no such `fill` (a browser),
// or it does not copy a Uint8Array argument, `set` copies everything.
const NATIVE_COPY_FROM = 4096;
const nativeFill = ((): Fill | undefined => {
  const fill = (NodeBuffer?.prototype as { fill?: Fill } | undefined)?.fill;
  if (typeof fill !== 'function') return undefined;
  try {
    const probe = new Uint8Array(4);
    fill.call(probe, Uint8Array.of(7, 8), 1, 3);
    return probe.join() === '0,7,8,0' ? fill : undefined;
  } catch {
    return undefined;
  }
})();

/** Copies all of `source` into `target` at `at` (the caller checked it fits; they never overlap). */
function copyInto(target: Uint8Array, source: Uint8Array, at: number): void {
  const n = source.byteLength;
  if (n >= NATIVE_COPY_FROM && nativeFill !== undefined) nativeFill.call(target, source, at, at + n);
  else target.set(source, at);
}

/**
 * Removes the oldest frame and copies it into `into` (which must be large enough) or, without
 * `into`, into a new array. Allocating dominates for large messages (a fresh 64 KiB array costs
 * ~3x its copy), hence the `into` form. The caller checked there is a frame and holds the read side.
 */
export function readFrame(r: Ring, into?: Uint8Array): Uint8Array {
  const { h, u8, size } = r;
  const head = h[HEAD]!;
  const len = r.d32[head >> 2]!;
  const off = head + FRAME_HEADER === size ? 0 : head + FRAME_HEADER;
  const first = size - off;
  let out: Uint8Array;
  if (len <= first) {
    // `slice` is the cheapest copy of a small message (one call, no view object).
    if (into === undefined && len < UNZEROED_FROM) out = u8.slice(off, off + len);
    else copyInto((out = into ?? freshBytes(r, len)), u8.subarray(off, off + len), 0);
  } else {
    out = into ?? freshBytes(r, len);
    copyInto(out, u8.subarray(off, size), 0);
    copyInto(out, u8.subarray(0, len - first), first);
  }
  const need = frameBytes(len);
  h[HEAD] = (head + need) % size;
  Atomics.sub(h, COUNT, 1);
  const free = size - ((Atomics.sub(h, USED, need) - need) & USED_MASK);
  // A waiting writer is woken once the room it asked for is free (ring-wait.ts), not per frame.
  if (Atomics.load(h, WWAIT) !== 0 && free >= Atomics.load(h, WNEED)) Atomics.notify(h, USED);
  return out;
}
