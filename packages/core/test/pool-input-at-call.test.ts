// A map or starmap takes an array, typed array, Set or Map input as the call is made, as Python's
// map takes list(iterable): the caller may clear, refill or reuse it right after the call (the
// accumulate-and-submit pattern: `pool.map(task, batch); batch.length = 0`). Their iterators are
// live and a map reads its input over several turns: before, such a call silently ran the 1-2
// items its first chunks held, or the new contents, and resolved with that. And an array subclass
// with an iterator of its own is read through it: it was sliced by index (imap of one yielding
// 42 once gave 42 for every index), and its length (or a Set subclass's size) taken as the total.

import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks as t } from './fixtures/edge-tasks.mjs';
import { poolMaker } from './helpers.ts';

const makePool = poolMaker();
const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe.each(['thread', 'process'] as const)('a map input changed after the call, %s context', (context) => {
  it('map, mapAsync, starmap and starmapAsync run the items the input held at the call', async () => {
    const pool = makePool({ processes: 2, context });
    const batch = range(50);
    const cleared = pool.map(t.echo, batch);
    batch.length = 0;
    const refilled = range(50);
    const filled = pool.mapAsync(t.echo, refilled, { chunksize: 3 });
    refilled.fill(0);
    const pairs = range(20).map((x) => [x]);
    const star = pool.starmap(t.echo, pairs);
    pairs.splice(0, pairs.length, [-1]);
    const starAsync = pool.starmapAsync(t.echo, pairs);
    pairs.push([-2]);
    expect(await cleared).toEqual(range(50));
    expect(await filled).toEqual(range(50));
    expect(await star).toEqual(range(20));
    expect(await starAsync).toEqual([-1]);
  });

  it('a typed array, a Set and a Map are taken at the call too; a generator is read as the call goes', async () => {
    const pool = makePool({ processes: 2, context });
    const floats = Float64Array.from(range(40));
    const typed = pool.map(t.echo, floats);
    floats.fill(-1);
    const set = new Set(range(30));
    const fromSet = pool.map(t.echo, set);
    set.clear();
    const map = new Map(range(10).map((x) => [x, -x]));
    const fromMap = pool.starmap(t.echo, map);
    map.clear();
    expect(await typed).toEqual(range(40));
    expect(await fromSet).toEqual(range(30));
    expect(await fromMap).toEqual(range(10));
  });

  it('a Buffer (whose slice() is a view) and a typed array subclass with a slice() of its own are copied too', async () => {
    const pool = makePool({ processes: 2, context });
    const bytes = Buffer.from(range(40));
    const fromBytes = pool.map(t.echo, bytes, { chunksize: 3 });
    bytes.fill(0);
    class Shared extends Int32Array {
      override slice(): this {
        return this;
      }
    }
    const ints = Shared.from(range(20)) as Shared;
    const fromInts = pool.mapAsync(t.echo, ints, { chunksize: 3 });
    ints.fill(-1);
    expect(await fromBytes).toEqual(range(40));
    expect(await fromInts).toEqual(range(20));
  });

  it('an array or Set subclass with an iterator of its own is read through it, by every map method', async () => {
    const pool = makePool({ processes: 2, context });
    class Twice extends Array<number> {}
    Object.defineProperty(Twice.prototype, Symbol.iterator, {
      *value(this: number[]) {
        for (let i = 0; i < this.length; i++) yield this[i]! * 2;
      },
    });
    class FirstOnly extends Set<number> {}
    Object.defineProperty(FirstOnly.prototype, Symbol.iterator, {
      *value(this: Set<number>) {
        yield [...this.values()][0]!;
      },
    });
    const twice = () => Twice.from([1, 2, 3]);
    const totals: number[] = [];
    const onProgress = (_done: number, total: number | undefined) => totals.push(total ?? -1);
    expect(await pool.map(t.echo, twice(), { chunksize: 1, onProgress })).toEqual([2, 4, 6]);
    const looped: unknown[] = [];
    for await (const v of pool.imap(t.echo, twice(), { chunksize: 1 })) looped.push(v);
    expect(looped).toEqual([2, 4, 6]);
    expect(await pool.map(t.echo, new FirstOnly([5, 6, 7]), { onProgress })).toEqual([5]);
    // Its length or size is not the number of items it yields: no total is announced.
    expect(new Set(totals)).toEqual(new Set([-1]));
  });

  it('a map waiting for room (maxQueue) runs the items its input held at the call', async () => {
    const pool = makePool({ processes: 1, context, maxQueue: 1 });
    const busy = [pool.apply(t.sleep, [300]), pool.apply(t.sleep, [1])];
    const batch = range(8);
    const waiting = pool.map(t.echo, batch, { chunksize: 1 });
    batch.length = 0;
    batch.push(99);
    expect(await Promise.all(busy)).toEqual([300, 1]);
    expect(await waiting).toEqual(range(8));
  });
});
