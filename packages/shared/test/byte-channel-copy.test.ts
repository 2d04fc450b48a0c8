// Big messages are copied into and out of the ring by Node's native Buffer#fill where there is one,
// and by TypedArray#set elsewhere (a browser): both copies must carry every byte, also when a frame
// wraps around the end of the ring, for allocating reads and reads `into` a caller's buffer.
import { ByteChannel, encodeValue } from '@multiproc/shared';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { nextMessage, startWorker } from './helpers.ts';

type Shared = typeof import('../src/index.ts');

/**
 * A fresh instance of the package's source, evaluated with or without `globalThis.Buffer` (absent
 * as in a browser), and the Buffer it found.
 */
async function load(withBuffer: boolean): Promise<{ shared: Shared; bufferSeen: unknown }> {
  vi.resetModules();
  if (!withBuffer) vi.stubGlobal('Buffer', undefined);
  try {
    const shared = await import('../src/index.ts');
    const kinds = await import('../src/internal/value-kinds.ts');
    return { shared, bufferSeen: kinds.NodeBuffer };
  } finally {
    vi.unstubAllGlobals();
  }
}

// Sizes around the native-copy threshold (4 KiB) and up to most of the ring, so frames wrap.
const message = fc
  .tuple(fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 4000, max: 20_000 })), fc.integer())
  .map(([len, seed]) => Uint8Array.from({ length: len }, (_, i) => (seed + i * 31) & 255));

function same(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined || a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

function roundTripsEverything(shared: Shared, into: boolean): void {
  fc.assert(
    fc.property(
      fc.integer({ min: 20_000, max: 40_000 }),
      fc.array(message, { maxLength: 30 }),
      (capacity, msgs) => {
        const ch = new shared.ByteChannel({ capacity });
        const target = into ? new Uint8Array(capacity) : undefined;
        const read = () => {
          const got = ch.tryRead(target === undefined ? undefined : { into: target });
          return got === undefined ? undefined : got.slice();
        };
        const queue: Uint8Array[] = [];
        for (const m of msgs) {
          while (!ch.tryWrite(m)) expect(same(read(), queue.shift())).toBe(true);
          queue.push(m);
        }
        for (const m of queue) expect(same(read(), m)).toBe(true);
        expect(ch.size).toBe(0);
      },
    ),
    { numRuns: 25, seed: 59 },
  );
}

describe('ByteChannel copies of big messages', { timeout: 60_000 }, () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  for (const into of [false, true]) {
    const how = into ? 'read into a caller buffer' : 'read into new arrays';
    it(`carries every byte of big and small messages, wrapping the ring, with Node's native copy (${how})`, async () => {
      const { shared, bufferSeen } = await load(true);
      expect(bufferSeen).toBe(Buffer);
      roundTripsEverything(shared, into);
    });

    it(`carries every byte the same way where there is no Buffer, as in a browser (${how})`, async () => {
      const { shared, bufferSeen } = await load(false);
      expect(bufferSeen).toBeUndefined();
      roundTripsEverything(shared, into);
    });
  }

  it('returns a plain Uint8Array that owns exactly its bytes, from either copy', async () => {
    for (const shared of [(await load(true)).shared, (await load(false)).shared]) {
      const ch = new shared.ByteChannel({ capacity: 1 << 16 });
      ch.tryWrite(new Uint8Array(10_000).fill(9));
      const got = ch.tryRead()!;
      expect(Object.getPrototypeOf(got)).toBe(Uint8Array.prototype);
      expect(got.byteOffset).toBe(0);
      expect(got.buffer.byteLength).toBe(10_000);
      expect(got.every((b) => b === 9)).toBe(true);
    }
  });

  it('gives each read memory of its own: later writes, reads and a transfer of it change nothing else', async () => {
    // 64 KiB: the size the reader keeps referenced until its next allocation (ring.ts, HOLD_UP_TO);
    // 300 KiB: above it; 100 bytes: copied by `slice`. Each message fills most of the ring, so the
    // next one is written over the same bytes of shared memory.
    for (const shared of [(await load(true)).shared, (await load(false)).shared]) {
      for (const len of [100, 65_536, 300_000]) {
        const ch = new shared.ByteChannel({ capacity: len + 64 });
        const got: Uint8Array[] = [];
        for (let i = 0; i < 4; i++) {
          expect(ch.tryWrite(new Uint8Array(len).fill(i + 1))).toBe(true);
          got.push(ch.tryRead()!);
        }
        for (const [i, m] of got.entries()) {
          expect(m.buffer).toBeInstanceOf(ArrayBuffer);
          expect(m.buffer.byteLength).toBe(len);
          expect(m.every((b) => b === i + 1)).toBe(true);
          expect(got.filter((o) => o.buffer === m.buffer)).toHaveLength(1);
        }
        // The caller may transfer what it read (detaching it here) and write into it: the next
        // reads still get whole messages of their own.
        const own = got[3]!.buffer as ArrayBuffer; // checked above: a plain ArrayBuffer
        structuredClone(own, { transfer: [own] });
        expect(got[3]!.byteLength).toBe(0);
        got[2]!.fill(0);
        ch.tryWrite(new Uint8Array(len).fill(7));
        const next = ch.tryRead()!;
        expect(next.byteLength).toBe(len);
        expect(next.every((b) => b === 7)).toBe(true);
        expect(got[1]!.every((b) => b === 2)).toBe(true);
      }
    }
  });

  it('echoes big messages through a worker byte for byte, both directions sharing the rings', async () => {
    const w = startWorker('channel-echo-loop', {});
    await fc.assert(
      fc.asyncProperty(fc.array(message, { maxLength: 24 }), fc.boolean(), async (msgs, sync) => {
        const input = new ByteChannel({ capacity: 24_000 });
        const output = new ByteChannel({ capacity: 30_000 });
        const { value, transfer } = encodeValue({ input, output, sync }, 'thread', 'data');
        w.postMessage(value, transfer as never[]);
        const reading = (async () => {
          const got: Uint8Array[] = [];
          for await (const m of output) got.push(m);
          return got;
        })();
        for (const m of msgs) await input.write(m);
        input.close();
        const got = await reading;
        expect(got.length).toBe(msgs.length);
        expect(got.every((m, i) => same(m, msgs[i]))).toBe(true);
        expect(await nextMessage(w)).toBe('done');
      }),
      { numRuns: 12, seed: 115 },
    );
  });
});
