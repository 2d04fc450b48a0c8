// A proxy given as the value of a manager call that copies contents stands for its object, as in
// Python (the manager reads a proxy argument's referent): `d.update(p)`, `l.extend(p)`,
// `manager.dict(p)`, `manager.list(p)`, `manager.Namespace(p)` copy what `p`'s object holds. Before,
// the proxy was stored as its own fields (a key 'multiproc' holding a symbol) and every later read
// of the container rejected. A proxy stored as a value still stays a proxy, and a list's
// `count`/`index`/`remove` match proxies by the object they stand for.
import { BaseManager, ValidationError } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { core } from './core.js';
import { managerTestKit } from './manager-kit.js';

const { tasks } = await import(new URL('./fixtures/proxy-arg-tasks.mjs', import.meta.url).href);
const kit = managerTestKit();

describe('a proxy as the value of a copying call', () => {
  it('update, extend and the factories copy the contents of the object it stands for', async () => {
    const m = await kit.manager();
    const src = m.dict<string, number>([
      ['a', 1],
      ['b', 2],
    ]);
    const d = m.dict<string, unknown>([['z', 0]]);
    await d.update(src);
    expect([...(await d.copy())]).toEqual([
      ['z', 0],
      ['a', 1],
      ['b', 2],
    ]);
    expect(await d.keys()).toEqual(['z', 'a', 'b']); // no key 'multiproc'
    await d.update(src); // again: the same entries, still readable
    expect(await d.len()).toBe(3);

    const items = m.list([2, 3]);
    const l = m.list<unknown>([1]);
    await l.extend(items);
    await l.extend(l); // its own proxy: Python's `l.extend(l)` doubles it
    expect(await l.copy()).toEqual([1, 2, 3, 1, 2, 3]);
    await l.extend(m.Array('i', [7]));
    await l.extend(src); // a dict gives its keys, as Python's `list(d)`
    expect(await l.slice(-3)).toEqual([7, 'a', 'b']);

    expect([...(await m.dict(src).copy())]).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
    expect(await m.list(items).copy()).toEqual([2, 3]);
    const ns = m.Namespace({ x: 1 });
    expect(await m.Namespace(ns).copy()).toEqual({ x: 1 });
    expect(await m.Namespace(src).copy()).toEqual({ a: 1, b: 2 });
    // A copy: the new objects do not follow the old ones.
    await src.set('c', 3);
    expect(await d.has('c')).toBe(false);
  });

  it('a proxy that holds no such contents is refused, and the container stays usable', async () => {
    const m = await kit.manager();
    const d = m.dict<string, number>([['z', 0]]);
    const l = m.list([1]);
    for (const bad of [m.Lock(), m.list([1, 2]), m.Queue()]) {
      await expect(d.update(bad as never)).rejects.toBeInstanceOf(ValidationError);
    }
    await expect(l.extend(m.Event() as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(l.extend(m.Namespace({ a: 1 }) as never)).rejects.toBeInstanceOf(ValidationError);
    expect(() => m.list(m.Lock() as never)).toThrow(ValidationError);
    expect(() => m.dict(m.list([1]) as never)).toThrow(ValidationError);
    await d.update(m.list<[string, number]>([['k', 1]]) as never); // a list of pairs is entries, as Python's `dict.update(pairs)`
    expect([...(await d.copy())]).toEqual([
      ['z', 0],
      ['k', 1],
    ]);
    expect(await l.copy()).toEqual([1]);
  });

  it('a proxy of another manager is refused with what to pass instead', async () => {
    const m = await kit.manager();
    const other = new BaseManager();
    other.register('Thing', () => ({ items: () => [1] }));
    await other.start();
    kit.cleanup.push(() => other.shutdown());
    const thing = await other.create('Thing');
    const d = m.dict();
    const err = await d.update(thing as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(await d.len()).toBe(0);
  });

  it('a proxy stored as a value stays a proxy of its object', async () => {
    const m = await kit.manager();
    const inner = m.list([1]);
    const l = m.list<unknown>();
    const d = m.dict<string, unknown>();
    await l.append(inner);
    await d.set('k', inner);
    await d.update([['k2', inner]]);
    await ((await l.get(0)) as typeof inner).append(2);
    expect(await ((await d.get('k')) as typeof inner).copy()).toEqual([1, 2]);
    expect(await ((await d.get('k2')) as typeof inner).copy()).toEqual([1, 2]);
  });

  it.each(matrix(import.meta.url))(
    'from a worker (%s context): the same',
    { timeout: 30_000 },
    async (context) => {
      const m = await kit.manager();
      const pool = new core.Pool({ processes: 1, context });
      kit.cleanup.push(() => pool.terminate());
      const d = m.dict([['z', 0]]);
      const l = m.list([0]);
      const got = await pool.apply(tasks.copyFromProxies, [d, m.dict([['a', 1]]), l, m.list([1, 2])]);
      expect(got).toEqual({
        d: [
          ['z', 0],
          ['a', 1],
          ['after', true],
        ],
        l: [0, 1, 2, 'after'],
        keys: ['z', 'a', 'after'],
        len: 3,
      });
    },
  );
});

describe("a list's count, index and remove match proxies by their object (Python's ==)", () => {
  it('in this program', async () => {
    const m = await kit.manager();
    const inner = m.list();
    const other = m.list();
    const l = m.list<unknown>([other, inner, 1, inner]);
    expect(await l.count(inner)).toBe(2);
    expect(await l.index(inner)).toBe(1);
    expect(await l.index(inner, 2)).toBe(3);
    await l.remove(inner);
    expect(await l.count(inner)).toBe(1);
    expect(await l.count(other)).toBe(1);
    expect(await l.count(m.list())).toBe(0);
  });

  it.each(matrix(import.meta.url))('from a worker (%s context)', { timeout: 30_000 }, async (context) => {
    const m = await kit.manager();
    const pool = new core.Pool({ processes: 1, context });
    kit.cleanup.push(() => pool.terminate());
    const inner = m.list();
    const l = m.list<unknown>([1, inner, inner]);
    expect(await pool.apply(tasks.matchProxies, [l, inner])).toEqual({ count: 2, index: 1, left: 2 });
  });
});
