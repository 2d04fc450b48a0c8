// What a queue copy holds before its consumer takes it: items, and runs of JSON values kept as the
// text they came in until the first of them is taken, or parsed at once when gets wait for their
// first values (protocol/item-buffer.ts). As a property
// against a plain array, then through a real port: a copy reading a flood ahead hands every value
// out in order, and what it still holds goes back to the queue, in order, when it closes.
import { Queue } from '@multiproc/ipc';
import { decodeValue, encodeValue } from '@multiproc/shared';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Item, isDecoded } from '../src/internal/protocol/item.js';
import { ItemBuffer } from '../src/internal/protocol/item-buffer.js';

type Step =
  | { push: number; moved: boolean }
  | { run: number[] }
  | { runAfter: number[]; takes: number }
  | { shift: true }
  | { drain: true };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ push: fc.integer(), moved: fc.boolean() }),
  fc.record({ run: fc.array(fc.integer(), { maxLength: 6 }) }),
  fc.record({ runAfter: fc.array(fc.integer(), { maxLength: 6 }), takes: fc.nat(8) }),
  fc.record({ shift: fc.constant(true as const) }),
  fc.record({ drain: fc.constant(true as const) }),
);

const decodedValue = (item: Item | undefined): unknown =>
  item !== undefined && isDecoded(item) ? item.value : item;

describe('ItemBuffer', () => {
  it('hands out items and run values oldest first (waiting gets first), counts unparsed runs, gives back only moved items', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 60 }), (steps) => {
        const buf = new ItemBuffer(false);
        const model: { value: number; plain: boolean; moved: boolean }[] = [];
        let seq = 0; // each plain item's text is distinct, as each real item is its own object
        for (const s of steps) {
          if ('push' in s) {
            // A plain item: JSON text, as a socket's frame carries one.
            buf.push(JSON.stringify([seq++, s.push]), s.moved);
            model.push({ value: s.push, plain: true, moved: s.moved });
          } else if ('run' in s) {
            buf.pushRun(JSON.stringify(s.run), s.run.length);
            for (const v of s.run) model.push({ value: v, plain: false, moved: false });
          } else if ('runAfter' in s) {
            // A run that arrives while `takes` gets wait (so nothing is held): they take its first
            // values, in order; the rest is held as a run.
            if (model.length > 0) continue;
            const handed: unknown[] = [];
            const take = (item: Item) => handed.length < s.takes && handed.push(decodedValue(item)) > 0;
            const held = buf.pushRunAfter(JSON.stringify(s.runAfter), take);
            const k = Math.min(s.takes, s.runAfter.length);
            expect(handed).toEqual(s.runAfter.slice(0, k));
            expect(held).toBe(k < s.runAfter.length);
            for (const v of s.runAfter.slice(k)) model.push({ value: v, plain: false, moved: false });
          } else if ('shift' in s) {
            const item = buf.shift();
            const want = model.shift();
            if (want === undefined) expect(item).toBeUndefined();
            else if (want.plain) expect(JSON.parse(item as string)[1]).toBe(want.value);
            else expect(decodedValue(item)).toBe(want.value);
          } else {
            const moved = model.filter((m) => m.moved).map((m) => m.value);
            expect(buf.drainMoved().map((i) => JSON.parse(i as string)[1])).toEqual(moved);
            model.length = 0;
          }
          expect(buf.length).toBe(model.length);
        }
      }),
      { seed: 1313, numRuns: 300 },
    );
  });
});

describe('a queue copy reading a flood ahead over a port', () => {
  it('hands every value out in order, and gives back what it holds, in order, when it closes', async () => {
    const q = new Queue<{ id: number }>();
    const copy = decodeValue(encodeValue(q, 'thread').value, 'thread') as Queue<{ id: number }>;
    const n = 6000;
    const taken = 3500;
    const got: number[] = [];
    // Get after get, so the copy streams: its window grows and the home pushes runs ahead to it.
    const consumer = (async () => {
      for (let i = 0; i < taken; i++) got.push((await copy.get({ timeout: 5000 })).id);
    })();
    for (let i = 0; i < n; i++) await q.put({ id: i });
    await consumer;
    copy.close();
    const rest: number[] = [];
    for (let i = taken; i < n; i++) rest.push((await q.get({ timeout: 5000 })).id);
    expect(got).toEqual(Array.from({ length: taken }, (_, i) => i));
    expect(rest).toEqual(Array.from({ length: n - taken }, (_, i) => taken + i));
    expect(q.qsize()).toBe(0);
    q.close();
  }, 20_000);
});
