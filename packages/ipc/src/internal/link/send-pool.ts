/**
 * Reused memory for the bytes a socket link must keep because the kernel did not take them at
 * once (the rest of a big `sendBytes()` frame written straight from the sender's memory). A fresh
 * 64 KiB buffer costs 16 page faults and, once dropped, GC work (10-50 µs here); a slab that was
 * written before costs neither. A slab goes back to the pool only once the kernel has taken every
 * byte of it (the socket writer says when), so a copy still waiting is never overwritten.
 */
import { unzeroedBytes } from '../unzeroed.js';

/** Slabs come in powers of two from this size… */
const MIN_SLAB = 16 * 1024;
/** …to this one; bigger copies are allocated for the occasion. */
const MAX_SLAB = 1024 * 1024;
/** Free slabs kept, in bytes, over all sizes; beyond this a written slab is left to the GC. */
const MAX_FREE_BYTES = 4 * 1024 * 1024;

const free = new Map<number, ArrayBuffer[]>();
let freeBytes = 0;
const slabs = new WeakSet<ArrayBuffer>();

/** A copy of `src` in a slab of the pool (or fresh memory when too big); release it once written. */
export function pooledCopy(src: Uint8Array): Uint8Array {
  const n = src.byteLength;
  if (n > MAX_SLAB) {
    const out = unzeroedBytes(n);
    out.set(src);
    return out;
  }
  let size = MIN_SLAB;
  while (size < n) size *= 2;
  let slab = free.get(size)?.pop();
  if (slab) freeBytes -= size;
  else {
    slab = unzeroedBytes(size).buffer as ArrayBuffer;
    slabs.add(slab);
  }
  const out = new Uint8Array(slab, 0, n);
  out.set(src);
  return out;
}

/** The kernel took every byte of `chunk`: its slab, if it has one, can be used again. */
export function released(chunk: Uint8Array): void {
  const slab = chunk.buffer as ArrayBuffer;
  if (!slabs.has(slab) || freeBytes + slab.byteLength > MAX_FREE_BYTES) return;
  let list = free.get(slab.byteLength);
  if (!list) free.set(slab.byteLength, (list = []));
  list.push(slab);
  freeBytes += slab.byteLength;
}

/** @internal For tests: how many bytes of free slabs the pool holds. */
export function poolFreeBytes(): number {
  return freeBytes;
}
