// A manager dict and list as CPython's test suite uses them (TestSyncManagerTypes, test_dict,
// test_list): the methods Python has, with Python's results and Python's errors, here and from a
// worker in both contexts.
import { type DictProxy, KeyError, ValidationError } from '@multiproc/ipc';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { managerTestKit } from './manager-kit.js';

const { tasks } = await import(new URL('./fixtures/py-types-tasks.mjs', import.meta.url).href);
const { manager, start } = managerTestKit();

describe('DictProxy.popitem()', () => {
  it('resolves the last inserted [key, value] and removes it (LIFO, as Python 3.7+)', async () => {
    const d = (await manager()).dict<unknown, number>([
      ['a', 1],
      ['b', 2],
    ]);
    await d.set([1, 2], 3);
    await d.set('a', 10); // a new value keeps the key's place
    expect(await d.popitem()).toEqual([[1, 2], 3]);
    expect(await d.popitem()).toEqual(['b', 2]);
    await d.set('c', 4);
    expect(await d.popitem()).toEqual(['c', 4]);
    expect(await d.popitem()).toEqual(['a', 10]);
    expect(await d.len()).toBe(0);
    expect(await d.has([1, 2])).toBe(false);
  });

  it('rejects with KeyError (a ValidationError) when the dict is empty, and the dict still works', async () => {
    const d = (await manager()).dict<string, number>();
    const err = await d.popitem().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KeyError);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err).toMatchObject({ name: 'KeyError', code: 'MP_KEY' });
    await d.set('x', 1);
    expect(await d.popitem()).toEqual(['x', 1]);
  });
});

describe('DictProxy.pop()', () => {
  it('rejects with KeyError for a missing key given no fallback, as Python; the dict is unchanged', async () => {
    const d = (await manager()).dict<unknown, number>([['a', 1]]);
    for (const key of ['b', 2, 2n, null, undefined, [1, [2]]]) {
      const err = await d.pop(key).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KeyError);
      expect(err).toMatchObject({ code: 'MP_KEY' });
    }
    expect(await d.items()).toEqual([['a', 1]]);
    expect(await d.pop('a')).toBe(1);
    expect(await d.len()).toBe(0);
  });

  it('resolves the fallback for a missing key, also an explicit undefined (the argument counts, not its value)', async () => {
    const d = (await manager()).dict<unknown, number | null>([[[1, 2], 3]]);
    expect(await d.pop('b', 7)).toBe(7);
    expect(await d.pop('b', null)).toBeNull();
    expect(await d.pop('b', undefined)).toBeUndefined();
    expect(await d.pop([1, 2], undefined)).toBe(3);
    expect(await d.len()).toBe(0);
  });

  it('pop(key) is typed as the value, pop(key, fallback) as the value or the fallback', () => {
    // Types only: never called (a call would need a live manager).
    const types = (d: DictProxy<string, number>) => {
      expectTypeOf(d.pop('k')).resolves.toEqualTypeOf<number>();
      expectTypeOf(d.pop('k', undefined)).resolves.toEqualTypeOf<number | undefined>();
      expectTypeOf(d.pop('k', 'none')).resolves.toEqualTypeOf<number | string>();
    };
    expectTypeOf(types).toBeFunction();
  });

  it('a value undefined under a present key pops as itself, with or without a fallback', async () => {
    const d = (await manager()).dict<string, number | undefined>([
      ['u', undefined],
      ['v', undefined],
    ]);
    expect(await d.pop('u')).toBeUndefined();
    expect(await d.pop('v', 1)).toBeUndefined();
    expect(await d.len()).toBe(0);
  });
});

describe.each(['thread', 'process'])('CPython _test_dict from a worker (%s)', (context) => {
  it('len, get, items, keys, values, copy, popitem() is [foo, 5]; then popitem() and pop(missing) are KeyErrors', {
    timeout: 20_000,
  }, async () => {
    const m = await manager();
    const obj = m.dict({ foo: 5 });
    const out = m.dict<string, unknown>();
    const p = start(tasks.pyDict, [obj, out], context);
    await p.join(15_000);
    expect(p.exitCode).toBe(0);
    expect(Object.fromEntries(await out.items())).toEqual({
      len: 1,
      get: 5,
      items: [['foo', 5]],
      keys: ['foo'],
      values: [5],
      copy: [['foo', 5]],
      popitem: { value: ['foo', 5] },
      popitemEmpty: { error: 'KeyError', code: 'MP_KEY' },
      popMissing: { error: 'KeyError', code: 'MP_KEY' },
      popFallback: { value: 0 },
      popUndefined: { value: 'undefined' },
    });
    expect(await obj.len()).toBe(0);
  });
});
