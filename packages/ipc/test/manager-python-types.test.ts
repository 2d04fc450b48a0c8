// A manager dict and list as CPython's test suite uses them (TestSyncManagerTypes, test_dict,
// test_list): the methods Python has, with Python's results and Python's errors, here and from a
// worker in both contexts.
import { KeyError, ValidationError } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';
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

describe.each(['thread', 'process'])('CPython _test_dict from a worker (%s)', (context) => {
  it('len, get, items, keys, values, copy, then popitem() is [foo, 5] and a second one is a KeyError', {
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
    });
    expect(await obj.len()).toBe(0);
  });
});
