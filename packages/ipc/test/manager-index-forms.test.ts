// Python's index and attribute forms on manager proxies (`d['k'] = 1`, `l[0]`, `ns.x = 1`,
// `a[0] = 5`) cannot reach the manager synchronously: each throws a ContextError naming the awaited
// method at once, instead of making a local property (a lost write) or reading `undefined`.
import { BaseManager, type BaseProxy } from '@multiproc/ipc';
import { ContextError } from '@multiproc/shared';
import { describe, expect, it } from 'vitest';
import { core } from './core.js';
import { managerTestKit } from './manager-kit.js';

const { cleanup, manager } = managerTestKit();

type Loose = any;

function refuses(f: () => unknown, method: RegExp): void {
  let thrown: unknown;
  try {
    f();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(ContextError);
  expect((thrown as Error).message).toMatch(method);
}

describe("Python's index and attribute forms on manager proxies", { timeout: 20_000 }, () => {
  it("a dict's d['k'] = 1 and d['k'] throw, naming d.set() and d.get(); nothing is written", async () => {
    const d: Loose = (await manager()).dict([['k', 0]]);
    refuses(() => {
      d.k = 1;
    }, /await d\.set\('k', value\)/);
    refuses(() => d.k, /await d\.get\('k'\)/);
    refuses(() => d[3], /await d\.get\(3\)/);
    expect(await d.get('k')).toBe(0);
    expect(Object.keys(d)).not.toContain('k');
  });

  it("a dict's d.length throws naming d.len() (Python's len(d)), and d.get('length') for such a key", async () => {
    const d: Loose = (await manager()).dict([['length', 7]]);
    refuses(() => d.length, /await d\.len\(\)/);
    refuses(() => d.length, /await d\.get\('length'\)/);
    refuses(() => {
      d.length = 1;
    }, /await d\.set\('length', value\)/);
    expect(await d.len()).toBe(1);
    expect(await d.get('length')).toBe(7);
  });

  it("a list's l[0] = 9, l[1] and l.length throw, naming l.set(), l.get() and l.len()", async () => {
    const l: Loose = (await manager()).list([1, 2]);
    refuses(() => {
      l[0] = 9;
    }, /await l\.set\(0, value\)/);
    refuses(() => l[1], /await l\.get\(1\)/);
    refuses(() => l[-1], /await l\.get\(-1\)/);
    refuses(() => l.length, /await l\.len\(\)/);
    refuses(() => Array.from(l), /await l\.copy\(\)/);
    expect(await l.copy()).toEqual([1, 2]);
  });

  it("a Namespace's ns.x = 1 and ns.y throw, naming ns.set() and ns.get()", async () => {
    const ns: Loose = (await manager()).Namespace();
    await ns.set('y', 2);
    refuses(() => {
      ns.x = 1;
    }, /await ns\.set\('x', value\)/);
    refuses(() => ns.y, /await ns\.get\('y'\)/);
    expect(await ns.copy()).toEqual({ y: 2 });
  });

  it.each([
    ['a manager Array', async () => (await manager()).Array('i', [1, 2, 3])],
    ["getContext('process').Array()", async () => core.getContext('process').Array('i', [1, 2, 3])],
  ])('%s: a[0] = 5 and a[1] throw, naming a.set() and a.get()', async (_, make) => {
    const a: Loose = await make();
    refuses(() => {
      a[0] = 5;
    }, /await a\.set\(0, value\)/);
    refuses(() => a[1], /await a\.get\(1\)/);
    refuses(() => Array.from(a), /await a\.toArray\(\)/);
    expect(a.length).toBe(3);
    expect(await a.get(0)).toBe(1);
  });

  it.each([
    ['a manager list', async () => (await manager()).list([1, 2]), 'l', /await l\.copy\(\)/, [1, 2]],
    ['a manager dict', async () => (await manager()).dict([['k', 1]]), 'd', /await d\.keys\(\)/, ['k']],
    [
      'a manager Array',
      async () => (await manager()).Array('i', [1, 2]),
      'a',
      /await a\.toArray\(\)/,
      [1, 2],
    ],
    [
      "getContext('process').Array()",
      async () => core.getContext('process').Array('i', [1, 2]),
      'a',
      /await a\.toArray\(\)/,
      [1, 2],
    ],
  ])(
    "%s: [...x], for...of and Array.from() throw ContextError naming for await (Python's list(x)); for await works",
    async (_, make, name, copy, items) => {
      const x: Loose = await make();
      const loop = new RegExp(`for await \\(const x of ${name}\\)`);
      refuses(() => [...x], loop);
      refuses(() => [...x], copy);
      refuses(() => {
        for (const _v of x) break;
      }, loop);
      refuses(() => Array.from(x), loop);
      const seen: unknown[] = [];
      for await (const v of x) seen.push(v);
      expect(seen).toEqual(items);
    },
  );

  it('a field set on any other proxy (a Lock, a registered type) throws; its methods still work', async () => {
    const m = await manager();
    const lock: Loose = m.Lock();
    refuses(() => {
      lock.owner = 'me';
    }, /Call its methods/);
    expect(await lock.acquire()).toBe(true);
    await lock.release();
    const server = new BaseManager().register('box', () => ({ get: () => 42 }));
    await server.start();
    cleanup.push(() => server.shutdown());
    const box = (await server.create('box')) as BaseProxy & Loose;
    refuses(() => {
      box.value = 1;
    }, /Call its methods/);
    expect(await box.get()).toBe(42);
  });

  it('what other code reads to learn what an object is still reads undefined', async () => {
    const d: Loose = (await manager()).dict();
    expect(d.then).toBeUndefined(); // so an async function may return a proxy
    expect(await (async () => d)()).toBe(d);
    // JSON.stringify() would write `{}`: every proxy's toJSON() throws instead (manager-json-ids.test.ts).
    expect(() => JSON.stringify(d)).toThrow(ContextError);
    expect(d.asymmetricMatch).toBeUndefined();
    expect(String(d)).toMatch(/DictProxy/);
    const sym = Symbol('mine');
    d[sym] = 1; // symbols are the caller's own business
    expect(d[sym]).toBe(1);
  });
});
