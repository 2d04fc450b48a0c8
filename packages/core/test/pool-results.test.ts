// Object results come back as a structured clone of what the task returned, whether they travel
// as JSON text (a tree of plain data, issue 18 ast11) or by structured clone (anything else), in
// both contexts and from apply() and map().
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks as t } from './fixtures/result-tasks.mjs';
import { poolMaker } from './helpers.ts';

const makePool = poolMaker();

/** What `tasks.mixed(i)` gives after a structured clone. */
const mixed = (i: number) => ({
  i,
  re: /x+/gi,
  when: new Date(86_400_000),
  nums: [Number.NaN, -0, Number.POSITIVE_INFINITY, undefined, 1.5],
  node: { type: 'Literal', start: 3 },
  text: 'caf\u00e9 \u{1F600}',
});

describe.each(matrix(import.meta.url))('object results in the %s context', (context) => {
  it('a RegExp, a Date, NaN, -0, undefined items and class instances come back as a clone gives them', {
    timeout: 20_000,
  }, async () => {
    const pool = makePool({ processes: 1, context });
    const one = await pool.apply(t.mixed, [7]);
    expect(one).toStrictEqual(mixed(7));
    expect(Object.is(one.nums[1], -0)).toBe(true);
    expect(Object.getPrototypeOf(one.node)).toBe(Object.prototype);
    expect(Object.keys(one)).toEqual(['i', 're', 'when', 'nums', 'node', 'text']);
    const many = await pool.map(t.mixed, [0, 1, 2, 3], { chunksize: 2 });
    expect(many).toStrictEqual([0, 1, 2, 3].map(mixed));
  });

  it('shared references and cycles stay one object, within a result and across a chunk', {
    timeout: 20_000,
  }, async () => {
    const pool = makePool({ processes: 1, context });
    const shared = await pool.apply(t.sharedRefs, []);
    expect(shared.a).toBe(shared.b.c);
    const cyclic = await pool.apply(t.cyclic, []);
    expect(cyclic.self).toBe(cyclic);
    const [first, second] = await pool.map(t.same, [1, 2], { chunksize: 2 });
    expect(first).toEqual({ same: true });
    expect(first).toBe(second);
  });

  it('results holding a Map or a Buffer still go through the codec', { timeout: 20_000 }, async () => {
    const pool = makePool({ processes: 1, context });
    const back = await pool.apply(t.withCodec, []);
    expect(back.map).toBeInstanceOf(Map);
    expect(back.map.get('k')).toEqual({ a: [1] });
    expect(Buffer.isBuffer(back.bytes)).toBe(true);
    expect(back.bytes.toString()).toBe('hi');
    expect(back.list).toEqual([{ ok: true }]);
  });

  it('big trees and many medium ones come back whole', { timeout: 60_000 }, async () => {
    const pool = makePool({ processes: 2, context });
    const big = await pool.apply(t.tree, [100_000]);
    expect(big.body).toHaveLength(4);
    let count = 0;
    let misnamed = 0;
    const stack = [big];
    while (stack.length > 0) {
      const node = stack.pop();
      count++;
      if (node.start > 0 && node.name !== `n${node.start}\u00e9`) misnamed++;
      if (node.body) stack.push(...node.body);
    }
    expect([count, misnamed]).toEqual([100_000, 0]);
    const sizes = Array.from({ length: 20 }, (_, i) => 1000 + i);
    const medium = await pool.map(t.tree, sizes);
    expect(medium.map((root: { body: unknown[] }) => root.body.length)).toEqual(sizes.map(() => 4));
    expect(JSON.stringify(medium[19]).length).toBeGreaterThan(JSON.stringify(medium[0]).length);
  });
});
