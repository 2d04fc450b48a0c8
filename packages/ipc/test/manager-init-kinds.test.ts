// What a Namespace's and a dict's contents may be given as: Python's `Namespace(**attrs)` takes
// names only and `dict(x)` raises TypeError for what is no mapping or pairs. Ours took any
// object and read its own fields, so `manager.Namespace(new Map([['a', 1]]))`, `manager.dict(new
// Date())` or `d.update(new WeakMap())` silently made or left an empty object, and
// `Namespace([1, 2])` or `Namespace('ab')` made names '0' and '1'.
import { BaseManager, ValidationError } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';
import { managerTestKit } from './manager-kit.js';

const kit = managerTestKit();
class Point {
  x = 1;
}

describe("a Namespace's and a dict's initial contents", () => {
  it('a Namespace takes a plain object, a Map of names, or a Namespace or dict proxy', async () => {
    const manager = await kit.manager();
    expect(await manager.Namespace(new Map([['a', 1]])).copy()).toEqual({ a: 1 });
    expect(await manager.Namespace({ b: 2 }).copy()).toEqual({ b: 2 });
    expect(await manager.Namespace(Object.assign(Object.create(null), { c: 3 })).copy()).toEqual({ c: 3 });
    expect(await manager.Namespace().copy()).toEqual({});
    expect(await manager.Namespace(manager.dict({ d: 4 })).copy()).toEqual({ d: 4 });
    expect(() => manager.Namespace(new Map([[1, 1]]) as never)).toThrow(TypeError);
  });

  it.each([
    ['a number', 5],
    ['an array', [1, 2]],
    ['a string', 'ab'],
    ['a Date', new Date(0)],
    ['a class instance', new Point()],
  ])('a Namespace refuses %s with ValidationError, at the call and from another program', async (_, init) => {
    const manager = await kit.manager();
    expect(() => manager.Namespace(init as never)).toThrow(ValidationError);
    // A class instance travels as a plain object (structured clone), which the manager takes.
    if (init instanceof Point) return;
    const client = new BaseManager({ address: manager.address });
    await client.connect();
    await expect(client.create('Namespace', init)).rejects.toBeInstanceOf(ValidationError);
  });

  it.each([
    ['a Date', new Date(0)],
    ['a WeakMap', new WeakMap()],
    ['a class instance', new Point()],
    ['a RegExp', /x/],
  ])('a dict refuses %s with ValidationError: dict(), update() and create()', async (_, init) => {
    const manager = await kit.manager();
    expect(() => manager.dict(init as never)).toThrow(ValidationError);
    const d = manager.dict({ kept: 1 });
    await expect(d.update(init as never)).rejects.toBeInstanceOf(ValidationError);
    expect(await d.copy()).toEqual(new Map([['kept', 1]]));
    // What cannot be sent (a WeakMap) is refused before; a class instance travels as a plain object.
    if (init instanceof Point || init instanceof WeakMap) return;
    const client = new BaseManager({ address: manager.address });
    await client.connect();
    await expect(client.create('dict', init)).rejects.toBeInstanceOf(ValidationError);
  });
});
