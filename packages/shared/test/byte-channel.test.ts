import {
  ByteChannel,
  ClosedError,
  ContextError,
  encodeValue,
  TimeoutError,
  ValidationError,
} from '@multiproc/shared';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextMessage, startWorker } from './helpers.ts';

const bytes = (...xs: number[]) => Uint8Array.from(xs);

describe('ByteChannel in one thread', () => {
  it('keeps messages in order, including empty ones, and drains after close', async () => {
    const ch = new ByteChannel({ capacity: 16 });
    expect(ch.tryWrite(bytes(1, 2, 3))).toBe(true);
    expect(ch.tryWrite(bytes())).toBe(true);
    expect(ch.count).toBe(2);
    expect(ch.size).toBe(16 + 8); // 8-byte headers, payloads padded to 8
    ch.close();
    expect(ch.closed).toBe(true);
    expect(() => ch.tryWrite(bytes(1))).toThrow(ClosedError);
    await expect(ch.write(bytes(1))).rejects.toBeInstanceOf(ClosedError);
    expect(ch.tryRead()).toEqual(bytes(1, 2, 3));
    expect(await ch.read()).toEqual(bytes());
    expect(await ch.read()).toBeNull();
    expect(ch.readSync()).toBeNull();
  });

  it('keeps every payload 8-aligned in the ring, so copies in and out run word by word', () => {
    const ch = new ByteChannel({ capacity: 128 });
    for (const len of [1, 3, 5, 8, 13]) {
      expect(ch.tryWrite(new Uint8Array(len).fill(len))).toBe(true);
      expect(ch.size % 8).toBe(0);
    }
    for (const len of [1, 3, 5, 8, 13]) expect(ch.tryRead()).toEqual(new Uint8Array(len).fill(len));
  });

  it('applies back-pressure when full and rejects a message larger than capacity', async () => {
    const ch = new ByteChannel({ capacity: 8 });
    expect(ch.capacity).toBe(8);
    expect(ch.tryWrite(new Uint8Array(8))).toBe(true);
    expect(ch.tryWrite(bytes(1))).toBe(false);
    expect(ch.writeSync(bytes(1), { timeout: 5 })).toBe(false);
    expect(await ch.write(bytes(1), { timeout: 5 })).toBe(false);
    expect(() => ch.tryWrite(new Uint8Array(9))).toThrow(ValidationError);
    const pending = ch.write(bytes(7));
    expect(ch.tryRead()).toHaveLength(8);
    expect(await pending).toBe(true);
    expect(ch.tryRead()).toEqual(bytes(7));
  });

  it('wakes a writer waiting on a full ring once its frame fits, though the reader stops early', async () => {
    // Writers wait for half the ring to be free before they are woken (fewer wake-ups under load);
    // a reader that stops before that must not strand a writer whose frame already fits.
    const ch = new ByteChannel({ capacity: 56 }); // a 64-byte ring: four 1-byte messages fill it
    for (let i = 0; i < 4; i++) expect(ch.tryWrite(bytes(i))).toBe(true);
    const pending = ch.write(bytes(42));
    expect(ch.tryRead()).toEqual(bytes(0)); // 16 of 64 bytes free: enough for one frame, not half
    expect(await pending).toBe(true);
    for (let i = 1; i < 4; i++) expect(ch.tryRead()).toEqual(bytes(i));
    expect(ch.tryRead()).toEqual(bytes(42));
  });

  it('times out reads with TimeoutError and writes with false', async () => {
    const ch = new ByteChannel({ capacity: 4, multi: true });
    expect(ch.multi).toBe(true);
    expect(ch.tryRead()).toBeUndefined();
    await expect(ch.read({ timeout: 5 })).rejects.toBeInstanceOf(TimeoutError);
    expect(() => ch.readSync({ timeout: 0 })).toThrow(TimeoutError);
    expect(() => new ByteChannel({ capacity: 0 })).toThrow(ValidationError);
  });

  it('reads into a caller buffer without allocating, keeping a message that does not fit', async () => {
    const ch = new ByteChannel({ capacity: 16 });
    ch.tryWrite(bytes(1, 2, 3, 4, 5));
    const small = new Uint8Array(4);
    expect(() => ch.tryRead({ into: small })).toThrow(ValidationError);
    expect(ch.count).toBe(1);
    const big = new Uint8Array(8);
    const got = await ch.read({ into: big });
    expect(got).toEqual(bytes(1, 2, 3, 4, 5));
    expect(got?.buffer).toBe(big.buffer);
    ch.tryWrite(new Uint8Array(9).fill(7)); // wraps around the end of the ring
    expect(ch.readSync({ into: new Uint8Array(16) })).toEqual(new Uint8Array(9).fill(7));
  });

  it('wraps around the end of the ring, full and empty, in any sequence', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 40, max: 64 }),
        fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 60 }),
        (capacity, msgs) => {
          const ch = new ByteChannel({ capacity });
          const queue: Uint8Array[] = [];
          for (const m of msgs) {
            // Full: drain the oldest until this one fits.
            while (!ch.tryWrite(m)) expect(ch.tryRead()).toEqual(queue.shift());
            queue.push(m);
          }
          for (const m of queue) expect(ch.tryRead()).toEqual(m);
          expect(ch.tryRead()).toBeUndefined();
          expect(ch.size).toBe(0);
        },
      ),
    );
  });

  it('refuses arguments it does not take, and a message that is not a Uint8Array, saying how to send it', async () => {
    const Channel = ByteChannel as unknown as new (...args: unknown[]) => ByteChannel;
    expect(() => new Channel({ capacity: 64 }, 5)).toThrow(ValidationError);
    const ch = new ByteChannel({ capacity: 64 });
    const one = Uint8Array.of(1);
    const extra = [5, 6] as never[];
    expect(() => (ch.tryWrite as (...a: unknown[]) => boolean)(one, ...extra)).toThrow(ValidationError);
    expect(() => (ch.writeSync as (...a: unknown[]) => boolean)(one, 5, 6)).toThrow(ValidationError);
    await expect((ch.write as (...a: unknown[]) => Promise<boolean>)(one, 5, 6)).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(ch.count).toBe(0);
    ch.tryWrite(one);
    expect(() => (ch.tryRead as (...a: unknown[]) => unknown)({}, 5)).toThrow(ValidationError);
    expect(() => (ch.readSync as (...a: unknown[]) => unknown)(5, 6)).toThrow(ValidationError);
    await expect((ch.read as (...a: unknown[]) => Promise<unknown>)(5, 6)).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(ch.count).toBe(1);
    expect(() => (ch.close as (...a: unknown[]) => void)(true)).toThrow(ValidationError);
    expect(ch.closed).toBe(false);
    for (const bad of [new Int32Array(2), new DataView(new ArrayBuffer(2)), new ArrayBuffer(2), 'hi', [1]]) {
      expect(() => ch.tryWrite(bad as never)).toThrow(ValidationError);
      expect(() => ch.tryWrite(bad as never)).toThrow(/Uint8Array\(/);
    }
  });

  it('refuses to go to a child process, naming the argument', () => {
    expect(() => encodeValue([new ByteChannel()], 'process', 'args')).toThrow(ContextError);
    expect(() => encodeValue([new ByteChannel()], 'process', 'args')).toThrow(/args\[0\]/);
  });
});

// Bounded, not timed: worker start-up alone can take seconds on a loaded 2-core machine.
describe('ByteChannel across threads', { timeout: 60_000 }, () => {
  for (const [mode, sync, multi] of [
    ['async SPSC', false, false],
    ['sync MPMC', true, true],
  ] as const) {
    it(`echoes any sequence of random-size messages identically and in order (${mode})`, async () => {
      // One worker serves every run: starting a worker per run (hundreds of ms on a loaded
      // machine) is what made this test slow, not the channel.
      const w = startWorker('channel-echo-loop', {});
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 8, max: 200 }),
          fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 200 }),
          async (capacity, raw) => {
            const msgs = raw.map((m) => (m.byteLength > capacity ? m.subarray(0, capacity) : m));
            const input = new ByteChannel({ capacity: 200, multi });
            const output = new ByteChannel({ capacity, multi });
            const { value, transfer } = encodeValue({ input, output, sync }, 'thread', 'data');
            w.postMessage(value, transfer as never[]);
            const reading = (async () => {
              const got: Uint8Array[] = [];
              for await (const m of output) got.push(m);
              return got;
            })();
            for (const m of msgs) await input.write(m);
            input.close();
            expect(await reading).toEqual(msgs);
            expect(await nextMessage(w)).toBe('done');
          },
        ),
        { numRuns: 15, seed: 148 },
      );
    });
  }

  it('a writer blocked in writeSync on a full ring finishes when a reader frees room and stops', async () => {
    const channel = new ByteChannel({ capacity: 56 }); // a 64-byte ring: four 1-byte messages fill it
    for (let i = 0; i < 4; i++) expect(channel.tryWrite(bytes(i))).toBe(true);
    const writer = startWorker('channel-writer', { channel, id: 7, count: 1, sync: true });
    try {
      expect(channel.tryRead()).toEqual(bytes(0)); // room for the writer's 16-byte frame, not half the ring
      expect(await nextMessage(writer)).toBe('done');
      for (let i = 1; i < 4; i++) expect(channel.tryRead()).toEqual(bytes(i));
      expect(channel.tryRead()).toEqual(bytes(7, 0, 0));
    } finally {
      await writer.terminate();
    }
  });

  it('with multi: true, many writers and readers lose nothing and keep each writer in order', async () => {
    const channel = new ByteChannel({ capacity: 64, multi: true });
    const count = 2000;
    const writers = [1, 2, 3].map((id) =>
      startWorker('channel-writer', { channel, id, count, sync: id !== 2 }),
    );
    const seen = new Map<number, Set<number>>([1, 2, 3].map((id) => [id, new Set()]));
    const readers = [0, 1].map(async () => {
      // Each reader takes messages in ring order, so per writer its sequence numbers increase.
      const last = new Map<number, number>();
      for (let m = await channel.read(); m !== null; m = await channel.read()) {
        const id = m[0]!;
        const seq = m[1]! | (m[2]! << 8);
        expect(seq).toBeGreaterThan(last.get(id) ?? -1);
        expect(m.every((b, i) => i < 3 || b === id)).toBe(true);
        last.set(id, seq);
        seen.get(id)!.add(seq);
      }
    });
    await Promise.all(writers.map((w) => nextMessage(w)));
    channel.close();
    await Promise.all(readers);
    expect([...seen.values()].map((set) => set.size)).toEqual([count, count, count]);
  });
});
