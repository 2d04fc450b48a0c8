/**
 * A plain `Uint8Array` of `n` bytes, not zero-filled first, for a caller that overwrites every byte
 * at once (a received frame, a copy of sent bytes). `new Uint8Array(n)` and `slice()` zero the
 * memory first, a measurable cost at 64 KiB; `Buffer.allocUnsafeSlow` does not, and unlike
 * `Buffer.allocUnsafe` it is never a slice of a shared pool, so the array owns its whole
 * `ArrayBuffer` (a port can move it, and it keeps nothing else alive).
 */
export function unzeroedBytes(n: number): Uint8Array {
  return new Uint8Array(Buffer.allocUnsafeSlow(n).buffer, 0, n);
}

/** A copy of `src[from, to)` in memory of its own (see {@link unzeroedBytes}). */
export function copyBytes(src: Uint8Array, from: number, to: number): Uint8Array {
  const out = unzeroedBytes(to - from);
  out.set(src.subarray(from, to));
  return out;
}
