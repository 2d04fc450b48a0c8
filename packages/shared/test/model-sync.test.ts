// Model-based tests of the primitives with waiting states: random sequences of operations on a
// Barrier, a Condition and a ByteChannel, checked against what Python's primitive would do.
import { Barrier, BrokenBarrierError, ByteChannel, ClosedError, Condition, Lock } from '@multiproc/shared';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

describe('Barrier under random arrive/reset/abort sequences', () => {
  it('releases whole cycles with distinct indexes, never hangs, and is usable after reset()', async () => {
    type Cmd = 'arrive' | 'reset' | 'abort' | 'settle';
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.constantFrom<Cmd>('arrive', 'arrive', 'arrive', 'reset', 'abort', 'settle'), {
          maxLength: 30,
        }),
        async (parties, cmds) => {
          const bar = new Barrier(parties);
          const resolved: number[] = [];
          const waits: Promise<unknown>[] = [];
          for (const cmd of cmds) {
            if (cmd === 'arrive') {
              waits.push(
                bar.wait(10_000).then(
                  (i) => resolved.push(i),
                  (e) => expect(e).toBeInstanceOf(BrokenBarrierError),
                ),
              );
            } else if (cmd === 'reset') bar.reset();
            else if (cmd === 'abort') bar.abort();
            else await turns(3);
          }
          // Whatever happened, abort() settles every wait left (nothing hangs).
          await turns(3);
          bar.abort();
          await Promise.all(waits);
          // Resolved indexes come in whole cycles: k copies of 0..parties-1.
          const counts = Array.from({ length: parties }, (_, i) => resolved.filter((r) => r === i).length);
          expect(new Set(counts).size).toBe(1);
          expect(resolved.length).toBe(counts[0]! * parties);
          bar.reset();
          const again = await Promise.all(Array.from({ length: parties }, () => bar.wait(10_000)));
          expect(again.sort()).toEqual(Array.from({ length: parties }, (_, i) => i));
        },
      ),
      { numRuns: 150, seed: 14 },
    );
  });
});

describe('Condition under random wait/notify interleavings', () => {
  it('wakes exactly as many waiters as notify() granted, never fewer (no lost wake-up)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.oneof(fc.integer({ min: 1, max: 3 }), fc.constant(Number.POSITIVE_INFINITY)), {
          maxLength: 6,
        }),
        async (s, waiters, notifies) => {
          const cond = new Condition(new Lock()); // an RLock is owned by the thread, not by a task
          let registered = 0;
          let granted = 0;
          let woken = 0;
          const tasks = Array.from({ length: waiters }, async () => {
            await s.schedule(Promise.resolve());
            await cond.acquire();
            registered++;
            if (await cond.wait()) woken++;
            cond.release();
          });
          const notifiers = notifies.map(async (n) => {
            await s.schedule(Promise.resolve());
            await cond.acquire();
            granted += Math.min(n, registered - granted);
            cond.notify(n);
            cond.release();
          });
          await s.waitFor(Promise.all(notifiers));
          // Each woken waiter takes the lock back in turn, one hand-off a few turns long.
          for (let i = 0; i < 100 && woken < granted; i++) await s.waitFor(turns(1));
          await s.waitFor(turns(5)); // and no more than granted wake up
          expect(woken).toBe(granted);
          await cond.acquire();
          cond.notifyAll(); // the rest, so every waiter ends
          cond.release();
          await s.waitFor(Promise.all(tasks));
          expect(woken).toBe(waiters);
        },
      ),
      { numRuns: 100, seed: 14 },
    );
  });
});

describe('ByteChannel against a FIFO model', () => {
  type Model = { queue: Uint8Array[]; closed: boolean };
  const commands = [
    fc.uint8Array({ maxLength: 24 }).map(
      (msg): fc.Command<Model, ByteChannel> => ({
        check: () => true,
        run(m, ch) {
          if (m.closed) return void expect(() => ch.tryWrite(msg)).toThrow(ClosedError);
          if (ch.tryWrite(msg)) m.queue.push(msg);
          else expect(ch.size + 4 + ((msg.length + 3) & ~3)).toBeGreaterThan(ch.capacity + 4);
        },
        toString: () => `tryWrite(${msg.length} bytes)`,
      }),
    ),
    fc.boolean().map(
      (into): fc.Command<Model, ByteChannel> => ({
        check: () => true,
        run(m, ch) {
          const got = ch.tryRead(into ? { into: new Uint8Array(64) } : undefined);
          expect(got === undefined ? undefined : Uint8Array.from(got)).toEqual(m.queue.shift());
        },
        toString: () => `tryRead(${into ? 'into' : ''})`,
      }),
    ),
    fc.constant<fc.Command<Model, ByteChannel>>({
      check: () => true,
      run(m, ch) {
        ch.close();
        m.closed = true;
        expect(ch.closed).toBe(true);
      },
      toString: () => 'close()',
    }),
  ];

  for (const multi of [false, true]) {
    it(`keeps order, counts and close semantics (${multi ? 'MPMC' : 'SPSC'})`, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 24, max: 80 }),
          fc.commands(commands, { maxCommands: 80 }),
          (capacity, cmds) => {
            const ch = new ByteChannel({ capacity, multi });
            fc.modelRun(() => ({ model: { queue: [], closed: false }, real: ch }), cmds);
            // Drain: what is left comes out in order, then null once closed.
            ch.close();
            for (let m = ch.readSync({ timeout: 0 }); m !== null; m = ch.readSync({ timeout: 0 }))
              expect(m).toBeDefined();
            expect(ch.count).toBe(0);
            expect(ch.size).toBe(0);
          },
        ),
        { numRuns: 200, seed: 14 },
      );
    });
  }
});
