// The stream framing of process links, as a property: any frames, cut into any chunks, come out
// whole and in order, whether the reader may keep views into a chunk or the chunk's memory is
// read into again right after (a connecting socket's shared read buffer).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameReader, FrameWriter } from '../src/internal/link/frames.js';

interface Frame {
  op: number;
  a: number;
  b: number;
  body: Uint8Array;
}

const frameArb = fc.record({
  op: fc.integer({ min: 1, max: 30 }),
  a: fc.nat({ max: 0xffffffff }),
  b: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  body: fc.uint8Array({ maxLength: 300 }),
});

// One frame's bytes: a big body goes as header then body, as the socket link writes it.
function encode(f: Frame): Uint8Array {
  const w = new FrameWriter();
  if (f.body.length <= 200) {
    w.frame(f.op, f.a, f.b, f.body);
    return w.take()!;
  }
  w.header(f.op, f.a, f.b, f.body.length);
  const head = w.take()!;
  const out = new Uint8Array(head.length + f.body.length);
  out.set(head);
  out.set(f.body, head.length);
  return out;
}

function stream(frames: Frame[]): Uint8Array {
  const parts = frames.map(encode);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

describe('FrameReader', () => {
  it.each([false, true])('splits any chunking back into the frames written (reused chunks: %s)', (reused) => {
    fc.assert(
      fc.property(
        fc.array(frameArb, { maxLength: 20 }),
        fc.array(fc.integer({ min: 1, max: 97 })),
        (frames, cuts) => {
          const bytes = stream(frames);
          const reader = new FrameReader();
          const got: Frame[] = [];
          const scratch = new Uint8Array(4096);
          let off = 0;
          let i = 0;
          while (off < bytes.length) {
            const n = Math.min(cuts.length > 0 ? cuts[i++ % cuts.length]! : 7, bytes.length - off);
            let chunk = bytes.slice(off, off + n);
            if (reused) {
              scratch.set(chunk);
              chunk = scratch.subarray(0, n);
            }
            reader.push(chunk, (op, a, b, body) => got.push({ op, a, b, body: body as Uint8Array }), reused);
            if (reused) scratch.fill(0xee); // the next read overwrites the buffer
            off += n;
          }
          expect(got.map((f) => ({ ...f, body: [...f.body] }))).toEqual(
            frames.map((f) => ({ ...f, a: f.a >>> 0, body: [...f.body] })),
          );
        },
      ),
      { numRuns: 300, seed: 77 },
    );
  });

  it('splits the stream whole when the rest of a big frame is read straight into it', () => {
    // As a connecting socket reads: before each read it asks for a direct target, reads at most
    // that many bytes into it and reports them with filled(); otherwise it reads a reused chunk.
    fc.assert(
      fc.property(
        fc.array(frameArb, { maxLength: 20 }),
        fc.array(fc.integer({ min: 1, max: 97 })),
        fc.integer({ min: 1, max: 64 }),
        (frames, cuts, min) => {
          const bytes = stream(frames);
          const reader = new FrameReader();
          const got: Frame[] = [];
          const onFrame = (op: number, a: number, b: number, body: unknown) =>
            got.push({ op, a, b, body: body as Uint8Array });
          const scratch = new Uint8Array(4096);
          let off = 0;
          let i = 0;
          while (off < bytes.length) {
            let n = Math.min(cuts.length > 0 ? cuts[i++ % cuts.length]! : 7, bytes.length - off);
            const target = reader.directTarget(min);
            if (target) {
              n = Math.min(n, target.length);
              target.set(bytes.subarray(off, off + n));
              reader.filled(n, onFrame);
            } else {
              scratch.set(bytes.subarray(off, off + n));
              reader.push(scratch.subarray(0, n), onFrame, true);
              scratch.fill(0xee);
            }
            off += n;
          }
          expect(got.map((f) => ({ ...f, body: [...f.body] }))).toEqual(
            frames.map((f) => ({ ...f, a: f.a >>> 0, body: [...f.body] })),
          );
        },
      ),
      { numRuns: 300, seed: 117 },
    );
  });

  it('splits big and small frames whole, big ones copied out alone or read straight into them', () => {
    // As a connecting socket reads: into a 256 KiB reused buffer, whole big frames copied out one
    // by one, the rest of a big frame straight into its memory.
    const mixedArb = fc.record({
      op: fc.integer({ min: 1, max: 30 }),
      a: fc.nat({ max: 0xffffffff }),
      b: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
      size: fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 16 * 1024, max: 40_000 })),
      seed: fc.nat({ max: 255 }),
    });
    const bodyOf = (size: number, seed: number) => new Uint8Array(size).map((_, j) => (seed + j * 7) & 0xff);
    fc.assert(
      fc.property(
        fc.array(mixedArb, { maxLength: 12 }),
        fc.array(fc.integer({ min: 1, max: 90_000 }), { minLength: 1 }),
        (specs, cuts) => {
          const frames = specs.map(({ size, seed, ...f }) => ({ ...f, body: bodyOf(size, seed) }));
          const bytes = stream(frames);
          const reader = new FrameReader();
          const got: Frame[] = [];
          const onFrame = (op: number, a: number, b: number, body: unknown) =>
            got.push({ op, a, b, body: body as Uint8Array });
          const scratch = new Uint8Array(256 * 1024);
          let off = 0;
          let i = 0;
          while (off < bytes.length) {
            let n = Math.min(cuts[i++ % cuts.length]!, bytes.length - off);
            const target = reader.directTarget(16 * 1024);
            if (target) {
              n = Math.min(n, target.length);
              target.set(bytes.subarray(off, off + n));
              reader.filled(n, onFrame);
            } else {
              n = Math.min(n, scratch.length);
              scratch.set(bytes.subarray(off, off + n));
              reader.push(scratch.subarray(0, n), onFrame, true);
              scratch.fill(0xee);
            }
            off += n;
          }
          expect(got.length).toBe(frames.length);
          for (const [k, f] of frames.entries()) {
            const g = got[k]!;
            expect([g.op, g.a, g.b]).toEqual([f.op, f.a >>> 0, f.b]);
            expect(Buffer.compare(g.body, f.body)).toBe(0);
          }
        },
      ),
      { numRuns: 150, seed: 1301 },
    );
  });
});
