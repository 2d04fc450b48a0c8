// A manager dict's keys: primitives as themselves, arrays by value (Python's tuple keys), and
// every other object refused at once with a TypeError (Python: `unhashable type`), since a key
// reaches the manager as a copy and an object key could never be found again.
import { ValidationError } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { managerTestKit } from './manager-kit.js';

const { tasks } = await import(new URL('./fixtures/dict-key-tasks.mjs', import.meta.url).href);
const { manager, start } = managerTestKit();

const unhashable = [
  ['a plain object', { id: 1 }],
  ['a Date', new Date(0)],
  ['a Map', new Map([[1, 2]])],
  ['a Set', new Set([1])],
  ['a typed array', new Uint8Array(2)],
  ['an array holding an object', [1, { id: 1 }]],
] as const;

describe('manager dict keys', () => {
  it('an array key is a tuple: found again by value, given back by keys() and items()', async () => {
    const d = (await manager()).dict<unknown, string>();
    await d.set([1, 2], 'a');
    await d.set([1, 2], 'again'); // the same key, not a second entry
    await d.set(['x', [3n, null, undefined]], 'b');
    await d.set('1,2', 'string'); // no clash with the tuple's items joined
    await d.set(2, 'number');
    expect(await d.len()).toBe(4);
    expect(await d.get([1, 2])).toBe('again');
    expect(await d.get(['x', [3n, null, undefined]])).toBe('b');
    expect(await d.has([2, 1])).toBe(false);
    expect(await d.has([1, '2'])).toBe(false);
    expect(await d.get([[1, 2]])).toBeUndefined();
    expect(await d.keys()).toEqual([[1, 2], ['x', [3n, null, undefined]], '1,2', 2]);
    expect(await d.items()).toContainEqual([[1, 2], 'again']);
    expect(await d.setdefault([1, 2], 'no')).toBe('again');
    expect(await d.setdefault([9], 'nine')).toBe('nine');
    expect(await d.pop([9])).toBe('nine');
    expect(await d.pop([9], 'gone')).toBe('gone');
    expect(await d.delete(['x', [3n, null, undefined]])).toBe(true);
    expect(await d.delete(['x', [3n, null, undefined]])).toBe(false);
    await d.update([[[0, -0], 'zeros']]);
    expect(await d.get([-0, 0])).toBe('zeros'); // items compare as Map keys: -0 is 0
    expect([...(await d.copy()).values()]).toEqual(['again', 'string', 'number', 'zeros']);
    await d.clear();
    await d.set([1, 2], 'fresh');
    expect(await d.items()).toEqual([[[1, 2], 'fresh']]);
  });

  it('manager.dict() takes tuple keys in its initial entries', async () => {
    const m = await manager();
    const d = m.dict<unknown, number>([
      [[1, 2], 3],
      ['k', 4],
    ]);
    expect(await d.get([1, 2])).toBe(3);
    const fromMap = m.dict(new Map([[['a'], 1]]));
    expect(await fromMap.get(['a'])).toBe(1);
  });

  it.each(unhashable)(
    '%s as a key is refused by every method with a TypeError, nothing written',
    async (_, key) => {
      const m = await manager();
      const d = m.dict<unknown, string>([['kept', 'yes']]);
      const calls = [
        () => d.set(key, 'v'),
        () => d.get(key),
        () => d.get(key, 'fallback'),
        () => d.has(key),
        () => d.delete(key),
        () => d.pop(key),
        () => d.pop(key, 'fallback'),
        () => d.setdefault(key, 'v'),
        () =>
          d.update([
            ['fine', 'v'],
            [key, 'v'],
          ]),
        () => d.update(new Map([[key, 'v']])),
      ];
      for (const call of calls) {
        await expect(call()).rejects.toThrow(TypeError);
        await expect(call()).rejects.toThrow(/unhashable key.*use a string, number, or an array of them/);
      }
      expect(() => m.dict([[key, 'v']])).toThrow(TypeError);
      expect(await d.items()).toEqual([['kept', 'yes']]);
      // The manager refuses it too, for a client that did not check.
      await expect(d.callMethod('set', key, 'v')).rejects.toThrow(TypeError);
      await expect(
        d.callMethod('update', [
          ['fine', 'v'],
          [key, 'v'],
        ]),
      ).rejects.toThrow(TypeError);
      expect(await d.items()).toEqual([['kept', 'yes']]);
    },
  );

  it('a string-keyed plain object still updates by its names', async () => {
    const d = (await manager()).dict<string, number>();
    await d.update({ a: 1, b: 2 });
    expect(await d.copy()).toEqual(
      new Map([
        ['a', 1],
        ['b', 2],
      ]),
    );
    await expect(d.update(null as never)).rejects.toThrow(ValidationError);
  });

  it('a Namespace takes string names only, any string', async () => {
    const ns = (await manager()).Namespace({ x: 1 });
    await expect(ns.set({} as never, 1)).rejects.toThrow(TypeError);
    await expect(ns.get(1 as never)).rejects.toThrow(TypeError);
    await expect(ns.delete(['x'] as never)).rejects.toThrow(TypeError);
    await expect(ns.callMethod('get', {})).rejects.toThrow(TypeError);
    expect(await ns.get('constructor')).toBeUndefined();
    // A '_' name stays on the proxy (Python's NamespaceProxy): the manager's own is reached by callMethod.
    await ns.set('__proto__', 'mine');
    expect(await ns.get('__proto__')).toBe('mine');
    await ns.callMethod('set', '__proto__', 'p');
    expect(await ns.callMethod('get', '__proto__')).toBe('p');
    expect(await ns.delete('missing')).toBe(false);
    expect(await ns.copy()).toEqual({ x: 1, ['__proto__']: 'p' });
  });
});

describe.each(matrix(import.meta.url))('manager dict keys from a worker (%s)', (context) => {
  it('a tuple key written there reads back here by value; object keys are refused there', {
    timeout: 20_000,
  }, async () => {
    const d = (await manager()).dict<unknown, unknown>();
    const p = start(tasks.tupleKeys, [d], context);
    await p.join();
    expect(p.exitCode).toBe(0);
    expect(await d.get([1, 2])).toBe('a');
    expect(await d.get(['x', [3n, null]])).toBe('b');
    expect(await d.get('result')).toEqual({ got: 'a', refused: ['TypeError', 'TypeError', 'TypeError'] });
    expect(await d.len()).toBe(3);
  });
});
