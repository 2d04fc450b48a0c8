// The manager's own wire (a proxy's requests and their answers on a bare socket): frames cut
// into any chunks come out whole and in order; values JSON cannot carry, big values split across
// many reads, unsendable arguments and another protocol's peer are each handled at the call.

import { AuthenticationError, Client, Manager, SerializationError } from '@multiproc/ipc';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { FrameSplitter } from '../src/internal/manager/frame-io.js';
import { encodeAnswer, encodeRequest, OK, REQUEST } from '../src/internal/manager/rpc.js';
import { decodeAnswer, decodeRequest } from '../src/internal/manager/rpc-read.js';

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

const valueArb = fc.oneof(
  fc.constantFrom(undefined, null, true, false, -0, Number.NaN, 2 ** 31, -(2 ** 31), '\ud800x', ''),
  fc.integer(),
  fc.double(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.jsonValue({ maxDepth: 2 }),
  fc.bigInt(),
  fc.dictionary(fc.string(), fc.integer()).map((o) => new Map(Object.entries(o))),
);

// A request [seq, id, method, args] or an answer [seq, value].
const frameArb = fc.oneof(
  fc.tuple(
    fc.nat({ max: 0xffffffff }),
    fc.nat({ max: 0xffffffff }),
    fc.string(),
    fc.array(valueArb, { maxLength: 4 }),
  ),
  fc.tuple(fc.nat({ max: 0xffffffff }), valueArb),
);

describe('manager frames', () => {
  it('any requests and answers, cut into any chunks, come out whole, exact and in order', () => {
    fc.assert(
      fc.property(
        fc.array(frameArb, { maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 10 }),
        (frames, cuts) => {
          const bytes = Buffer.concat(
            frames.map((f) => (f.length === 4 ? encodeRequest(...f) : encodeAnswer(f[0], OK, f[1]))),
          );
          const got: unknown[] = [];
          const splitter = new FrameSplitter((seq, tag, buf, start, end) =>
            got.push(
              tag === REQUEST
                ? [seq, ...decodeRequest(buf, start, end)]
                : [seq, decodeAnswer(buf, start, end)],
            ),
          );
          for (let at = 0, i = 0; at < bytes.length; i++) {
            const n = cuts[i % cuts.length]!;
            splitter.push(bytes.subarray(at, at + n), i % 2 === 0);
            at += n;
          }
          expect(got).toEqual(frames);
        },
      ),
      { seed: 19, numRuns: 300 },
    );
  });

  it('a frame length no proxy sends is refused', () => {
    const splitter = new FrameSplitter(() => {});
    expect(() => splitter.push(Buffer.from([1, 0, 0, 0, 0]))).toThrow(RangeError);
  });
});

describe('a manager over its wire', () => {
  async function manager(): Promise<Manager> {
    const m = await Manager.start();
    cleanup.push(() => m.shutdown());
    return m;
  }

  it('carries values JSON cannot, and big ones split across many reads', async () => {
    const m = await manager();
    const d = m.dict<unknown, unknown>();
    const big = 'x'.repeat(3 << 20);
    const odd = new Map<unknown, unknown>([[1n, new Set([undefined, -0, Number.NaN])]]);
    const tuple = [1n, undefined, -0, Number.NaN]; // a key JSON cannot carry (a tuple, by value)
    await Promise.all([d.set('big', big), d.set(tuple, odd), d.set('u', undefined)]);
    expect(await d.get('big')).toBe(big);
    expect(await d.get('u', 'fallback')).toBeUndefined();
    expect(await d.get([1n, undefined, 0, Number.NaN])).toEqual(odd);
    const entries = [...((await d.copy()) as Map<unknown, unknown>)];
    expect(entries.filter(([key]) => Array.isArray(key))).toEqual([[tuple, odd]]);
  });

  it('bytes and typed arrays read back are copies, not views of a buffer read into again', async () => {
    const m = await manager();
    const d = m.dict<string, unknown>();
    const values: Record<string, unknown> = {
      bytes: new Uint8Array([1, 2, 3]),
      floats: new Float64Array([1.5, -2.5]),
      nested: { b: Buffer.from('abc'), i: new Int32Array([7, -7]) },
    };
    for (const [k, v] of Object.entries(values)) await d.set(k, v);
    const got = new Map<string, unknown>();
    for (const k of Object.keys(values)) got.set(k, await d.get(k));
    // Later answers land where the earlier ones were read (the proxy's and the manager's buffers).
    await d.set('noise', 'z'.repeat(200));
    for (let i = 0; i < 3; i++) await d.get('noise');
    for (const [k, v] of Object.entries(values)) expect(got.get(k)).toEqual(v);
    expect(await d.get('bytes')).toEqual(values.bytes); // and the manager kept its own copy
  });

  it('an unsendable argument rejects that call only; the next ones still work', async () => {
    const m = await manager();
    const l = m.list<unknown>();
    const bad = l.append({ onDone: () => {} });
    const good = l.append(1);
    await expect(bad).rejects.toBeInstanceOf(SerializationError);
    await good;
    expect(await l.copy()).toEqual([1]);
  });

  it("a Client() that reaches a manager's address is refused with AuthenticationError", async () => {
    const m = await Manager.start({ authkey: 'k' });
    cleanup.push(() => m.shutdown());
    await expect(Client(m.address, { authkey: 'k' })).rejects.toBeInstanceOf(AuthenticationError);
    expect(await m.dict([['still', 'serving']]).get('still')).toBe('serving');
  });
});
