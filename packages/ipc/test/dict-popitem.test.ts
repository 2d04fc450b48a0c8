// A manager dict's popitem() takes O(1) amortized (it walked the whole dict: draining a big dict
// was quadratic): its order against a plain Map under any mix of writes, and a 100k drain through
// a real manager, where the dict is leased and its replica pops too.
import type { Manager } from '@multiproc/ipc';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManagedDict } from '../src/internal/manager/served-dict.js';
import { managerTestKit } from './manager-kit.js';

const { manager } = managerTestKit();

type Op = ['set' | 'delete' | 'pop' | 'setdefault', string | [number, number]] | ['popitem'] | ['clear'];

const key = fc.oneof(
  fc.constantFrom('a', 'b', 'c', 'd', 'e'),
  fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 1 })),
);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.constant('set' as const), key) },
  { weight: 2, arbitrary: fc.tuple(fc.constant('delete' as const), key) },
  { weight: 1, arbitrary: fc.tuple(fc.constant('pop' as const), key) },
  { weight: 1, arbitrary: fc.tuple(fc.constant('setdefault' as const), key) },
  { weight: 3, arbitrary: fc.constant(['popitem'] as Op) },
  { weight: 1, arbitrary: fc.constant(['clear'] as Op) },
);

describe('ManagedDict.popitem()', () => {
  it('pops what a Map would have last, under any mix of writes (fast-check model)', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const d = new ManagedDict();
        const model = new Map<string, [unknown, number]>(); // by the key's JSON, in Map order
        let n = 0;
        for (const [name, k] of ops) {
          const id = JSON.stringify(k);
          if (name === 'set') {
            d.set(k, ++n);
            model.set(id, [k, n]);
          } else if (name === 'setdefault') {
            d.setdefault(k, ++n);
            if (!model.has(id)) model.set(id, [k, n]);
          } else if (name === 'delete') {
            expect(d.delete(k)).toBe(model.delete(id));
          } else if (name === 'pop') {
            expect(d.pop(k, 'none')).toBe(model.get(id)?.[1] ?? 'none');
            model.delete(id);
          } else if (name === 'clear') {
            d.clear();
            model.clear();
          } else if (model.size === 0) {
            expect(() => d.popitem()).toThrow(/empty/);
          } else {
            const lastId = [...model.keys()].at(-1)!;
            expect(d.popitem()).toEqual(model.get(lastId));
            model.delete(lastId);
          }
          expect(d.len()).toBe(model.size);
        }
        expect(d.items()).toEqual([...model.values()]);
      }),
      { numRuns: 300, seed: 61 },
    );
  });

  // Bounded, not timed: a walk per popitem() takes ~5e9 steps here (minutes), O(1) well under a second.
  it('drains 100k entries with deletes and re-inserts between', { timeout: 60_000 }, () => {
    const d = new ManagedDict();
    const n = 100_000;
    for (let i = 0; i < n; i++) d.set(i, i);
    for (let i = 0; i < n; i += 2) d.delete(i); // half of them gone, left behind in the order
    d.set(0, 'again'); // re-inserted: last now
    expect(d.popitem()).toEqual([0, 'again']);
    const keys: number[] = [];
    while (d.len() > 0) keys.push((d.popitem() as [number, number])[0]);
    // The odd keys, last inserted first.
    expect(keys).toEqual(Array.from({ length: n / 2 }, (_, i) => n - 1 - 2 * i));
  });
});

describe('DictProxy.popitem() through a manager', () => {
  it('drains 100k entries, last in first out', { timeout: 60_000 }, async () => {
    const m: Manager = await manager();
    const n = 100_000;
    const d = m.dict<number, number>(Array.from({ length: n }, (_, i) => [i, i * 2] as [number, number]));
    let expected = n - 1;
    while (expected >= 0) {
      const [k, v] = await d.popitem();
      if (k !== expected || v !== expected * 2) expect([k, v]).toEqual([expected, expected * 2]);
      expected--;
    }
    expect(await d.len()).toBe(0);
    await expect(d.popitem()).rejects.toMatchObject({ code: 'MP_KEY' });
  });
});
