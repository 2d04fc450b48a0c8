// Typed arrays and DataViews sent to a process: V8's deserializer makes each a window on the
// received message (byteOffset past the header, a buffer holding the message's other bytes). The
// codec copies a small one out there, so it has a buffer of its own, as in a thread; a big one
// stays a window (copying it would cost as much as sending it), which the contexts page says.
import { serialize } from 'node:v8';
import { decodeValue, encodeValue } from '@multiproc/shared';
import { describe, expect, it } from 'vitest';
import { MAX_COPIED_VIEW_BYTES } from '../src/internal/value-kinds.ts';

/** What a child process receives of `value`: encoded, serialized by V8 into a bigger buffer, decoded. */
function throughProcess<T>(value: T): T {
  const { value: encoded, encoded: needsDecode } = encodeValue(value, 'process');
  // A message read from a socket or a channel: other bytes around it (as in Node's 8 KiB slabs).
  const bytes = serialize(encoded);
  const slab = new Uint8Array(bytes.length + 300);
  slab.set(bytes, 100);
  const { deserialize } = process.getBuiltinModule('node:v8');
  const received = deserialize(slab.subarray(100, 100 + bytes.length));
  return needsDecode ? decodeValue(received, 'process') : received;
}

function ownBuffer(view: ArrayBufferView): [number, number] {
  return [view.byteOffset, view.buffer.byteLength - view.byteLength];
}

describe('a typed array or DataView sent to a process', () => {
  it('arrives over a buffer of its own when small, with its class and contents', () => {
    const f64 = new Float64Array([1.5, 2.5, 3.5]);
    const u8 = new Uint8Array(16).fill(7);
    const dv = new DataView(new ArrayBuffer(8));
    dv.setInt32(4, 42);
    const got = throughProcess({ f64, nested: [u8], dv, n: 1 });
    expect(got.f64).toBeInstanceOf(Float64Array);
    expect([...got.f64]).toEqual([1.5, 2.5, 3.5]);
    expect(ownBuffer(got.f64)).toEqual([0, 0]);
    expect(ownBuffer(got.nested[0]!)).toEqual([0, 0]);
    expect([...new Uint8Array(got.nested[0]!.buffer)]).toEqual(Array(16).fill(7));
    expect(got.dv).toBeInstanceOf(DataView);
    expect(ownBuffer(got.dv)).toEqual([0, 0]);
    expect(got.dv.getInt32(4)).toBe(42);
    expect(got.n).toBe(1);
  });

  it('arrives over a buffer of its own as the whole value, and shared references stay shared', () => {
    const u16 = new Uint16Array([1, 2, 3]);
    expect(ownBuffer(throughProcess(u16))).toEqual([0, 0]);
    const both = throughProcess([u16, u16]);
    expect(both[0]).toBe(both[1]);
  });

  it(`stays a window on the message above ${MAX_COPIED_VIEW_BYTES} bytes, contents intact`, () => {
    const big = new Uint8Array(MAX_COPIED_VIEW_BYTES + 1).fill(3);
    const got = throughProcess({ big });
    expect(got.big.byteLength).toBe(big.byteLength);
    expect(got.big.byteOffset).toBeGreaterThan(0);
    expect(got.big.every((x) => x === 3)).toBe(true);
  });

  it('is sent to a thread as it is: nothing to decode', () => {
    const { encoded } = encodeValue({ a: new Float32Array(4) }, 'thread');
    expect(encoded).toBe(false);
  });
});
