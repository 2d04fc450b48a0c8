// bbW: a read's `into` that is not a buffer threw a raw TypeError or RangeError from the copy (after
// the message was found), and `readSync({ into: 5 })` on an empty channel waited out its timeout
// before failing. `into` is checked first now: a ValidationError at once, the message kept. Any
// byte buffer is taken, as Connection.recvBytesInto() takes one: a Uint8Array (a Buffer) is
// filled and `into.subarray(0, n)` returned; another typed array, a DataView or an ArrayBuffer is
// filled from its first byte and a Uint8Array over those bytes returned.
import { inspect } from 'node:util';
import { ByteChannel, ValidationError } from '@multiproc/shared';
import { describe, expect, it } from 'vitest';

const message = Uint8Array.of(1, 2, 3);

describe('ByteChannel reads into a caller buffer', () => {
  for (const multi of [false, true]) {
    it(`refuse an into that is not a buffer at once, keeping the message (${multi ? 'MPMC' : 'SPSC'})`, async () => {
      for (const bad of [5, 'abc', [0, 0, 0, 0], { length: 8 }, true]) {
        const ch = new ByteChannel({ capacity: 8, multi });
        const into = bad as unknown as Uint8Array;
        const empty = new ByteChannel({ capacity: 8, multi });
        const t0 = performance.now();
        expect(() => empty.readSync({ into, timeout: 2_000 })).toThrow(ValidationError);
        await expect(empty.read({ into, timeout: 2_000 })).rejects.toBeInstanceOf(ValidationError);
        expect(performance.now() - t0).toBeLessThan(1_000);
        ch.tryWrite(message);
        expect(() => ch.tryRead({ into })).toThrow(/into must be a Uint8Array.*got/);
        expect(() => ch.readSync({ into })).toThrow(ValidationError);
        await expect(ch.read({ into })).rejects.toBeInstanceOf(ValidationError);
        expect(ch.count).toBe(1);
        expect(ch.tryRead()).toEqual(message);
      }
    });
  }

  it('takes any typed array, a DataView or an ArrayBuffer, and returns the bytes of the message', async () => {
    const ch = new ByteChannel({ capacity: 32 });
    const f64 = new Float64Array(2);
    const ab = new ArrayBuffer(8);
    const dv = new DataView(new ArrayBuffer(16), 4);
    const buf = Buffer.alloc(8);
    for (const into of [f64, ab, dv, buf]) {
      ch.tryWrite(message);
      const got = ch.tryRead({ into })!;
      expect(got).toBeInstanceOf(Uint8Array);
      expect(Array.from(got)).toEqual([1, 2, 3]);
      const under = ArrayBuffer.isView(into) ? into.buffer : into;
      const offset = ArrayBuffer.isView(into) ? into.byteOffset : 0;
      expect([got.buffer, got.byteOffset]).toEqual([under, offset]);
    }
    expect(Buffer.isBuffer(buf.subarray(0, 1))).toBe(true);
    ch.tryWrite(message);
    expect(Buffer.isBuffer(await ch.read({ into: buf }))).toBe(true); // a Buffer's subarray
    ch.tryWrite(message);
    expect(() => ch.tryRead({ into: new Float32Array(0) })).toThrow(/holds 0/); // too small: kept
    expect(ch.count).toBe(1);
  });

  it("a write's options name only a write's (into is a read's)", async () => {
    const ch = new ByteChannel({ capacity: 8 });
    const into = new Uint8Array(8);
    await expect(ch.write(message, { into } as never)).rejects.toThrow(/it takes timeout, keepAlive\.$/);
    expect(() => ch.writeSync(message, { into } as never)).toThrow(/it takes timeout, keepAlive\.$/);
    await expect(ch.write(message, 'x' as never)).rejects.toThrow(
      /ByteChannel\.write\(\) takes a timeout in ms or \{ timeout, keepAlive \}/,
    );
    expect(() => ch.readSync('x' as never)).toThrow(/\{ timeout, keepAlive, into \}/);
  });

  it('String() and console.log() show its state, as the other primitives do', () => {
    const ch = new ByteChannel({ capacity: 13 });
    expect(ch.capacity).toBe(16); // rounded up to a multiple of 8, as the option says
    expect(String(ch)).toBe('<ByteChannel(capacity=16, count=0)>');
    ch.tryWrite(message);
    ch.close();
    expect(String(ch)).toBe('<ByteChannel(capacity=16, count=1, closed)>');
    expect(String(new ByteChannel({ capacity: 8, multi: true }))).toBe(
      '<ByteChannel(capacity=8, count=0, multi)>',
    );
    expect(inspect(ch)).toBe('ByteChannel { capacity: 16, count: 1, size: 16, multi: false, closed: true }');
  });
});
