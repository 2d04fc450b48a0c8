// register(typeid, factory) adds the method `m[typeid](...args)`, which is `m.create(typeid, ...args)`
// (Python's `MyManager.register('Foo1', Foo1)` then `m.Foo1()`), typed by the factory, on a serving
// and a connecting manager; never over a member of the manager (`start`; a built-in type such as a
// SyncManager's `dict` is refused),
// but over a Python spelling that only says what to use (`Pool`), as Python's register replaces it.
import { BaseManager, SyncManager, ValidationError } from '@multiproc/ipc';
import { describe, expect, expectTypeOf, it } from 'vitest';

class Counter {
  n: number;
  constructor(start: number) {
    this.n = start;
  }
  add(k: number): number {
    this.n += k;
    return this.n;
  }
}

describe('the typeid methods register() adds', () => {
  it('make objects as create() does, typed by the factory', { timeout: 20_000 }, async () => {
    const m = new BaseManager()
      .register('Counter', Counter)
      .register('greeter', (name: string) => ({ hello: () => `hello ${name}` }));
    await m.start();
    try {
      const c = await m.Counter(10);
      expect(await c.add(5)).toBe(15);
      expectTypeOf(m.Counter).parameters.toEqualTypeOf<[start: number]>();
      expectTypeOf(c.add).returns.resolves.toBeNumber();
      const g = await m.greeter('Ada');
      expect(await g.hello()).toBe('hello Ada');
      expect(await m.numberOfObjects()).toBe(2);
    } finally {
      await m.shutdown();
    }
  });

  it('work on a connecting manager registered without a factory', { timeout: 20_000 }, async () => {
    const server = new BaseManager({ address: ['127.0.0.1', 0], authkey: 'k' });
    server.register('box', () => ({ get: () => 42 }));
    const address = await server.start();
    try {
      const m = new BaseManager({ address, authkey: 'k' }).register('box');
      await m.connect();
      const box = await m.box<{ get(): number }>();
      expect(await box.get()).toBe(42);
      expectTypeOf(box.get).returns.resolves.toBeNumber();
    } finally {
      await server.shutdown();
    }
  });

  it('never replace a member of the manager: create() serves such a typeid', {
    timeout: 20_000,
  }, async () => {
    const m = new SyncManager().register('start', () => ({ f: () => 1 }));
    // A built-in type: its method would make its own proxy over the new object (broken before).
    expect(() => m.register('dict', () => ({ f: () => 2 }))).toThrow(
      /register\('dict'\): 'dict' is one of this manager's own types .*register\('Mydict', factory\)/,
    );
    expect(() => new SyncManager().register('Queue')).toThrow(ValidationError);
    const start = m.start; // still the manager's own
    expect(start).toBe(SyncManager.prototype.start);
    expectTypeOf(m.start).toEqualTypeOf<SyncManager['start']>();
    await m.start();
    try {
      expect(await (await m.create<{ f(): number }>('start')).f()).toBe(1);
      expect(Object.hasOwn(m, 'dict')).toBe(false);
      const d = m.dict<string, number>(); // still the built-in dict
      await d.set('a', 1);
      expect(await d.get('a')).toBe(1);
      const typeid: string = 'Stack';
      const named = m.register(typeid, () => ({ f: () => 3 }));
      expectTypeOf(named).toEqualTypeOf<typeof m>(); // a typeid not known as a literal adds no type
      expect(
        await (m as unknown as Record<string, () => Promise<{ f(): Promise<number> }>>).Stack!().then((s) =>
          s.f(),
        ),
      ).toBe(3);
    } finally {
      await m.shutdown();
    }
  });

  it("replace a Python spelling that only points elsewhere (a SyncManager's Pool), as Python's register does", {
    timeout: 20_000,
  }, async () => {
    class Workers {
      size: number;
      constructor(size: number) {
        this.size = size;
      }
      map(xs: number[]): number[] {
        return xs.map((x) => x * this.size);
      }
    }
    // Unregistered, `Pool` reads as a ValidationError saying what to use (python-names-proxies.test.ts).
    expect(() => (new SyncManager() as unknown as { Pool: unknown }).Pool).toThrow(ValidationError);
    const m = new SyncManager().register('Pool', Workers);
    await m.start();
    try {
      expect(Object.hasOwn(m, 'Pool')).toBe(true);
      const pool = await m.Pool(3);
      expect(await pool.map([1, 2])).toEqual([3, 6]);
      expectTypeOf(m.Pool).parameters.toEqualTypeOf<[size: number]>();
      // Another manager, not registered, still says what to use.
      expect(() => (new SyncManager() as unknown as { Pool: unknown }).Pool).toThrow(/import \{ Pool \}/);
      // get_server too is a spelling only: a typeid of that name gets its method.
      const named = new BaseManager().register('get_server', () => ({ f: () => 4 }));
      await named.start();
      try {
        expect(await (await named.get_server()).f()).toBe(4);
      } finally {
        await named.shutdown();
      }
    } finally {
      await m.shutdown();
    }
  });

  it("give a connecting manager registered with 'Pool' its method", { timeout: 20_000 }, async () => {
    const server = new SyncManager({ address: ['127.0.0.1', 0], authkey: 'k' });
    server.register('Pool', () => ({ ping: () => 'pong' }));
    const address = await server.start();
    try {
      const m = new SyncManager({ address, authkey: 'k' }).register('Pool');
      await m.connect();
      const pool = await m.Pool<{ ping(): string }>();
      expect(await pool.ping()).toBe('pong');
    } finally {
      await server.shutdown();
    }
  });

  it("keep a SyncManager's own factories", { timeout: 20_000 }, async () => {
    const m = new SyncManager().register('Queue2', () => ({ ok: () => true }));
    await m.start();
    try {
      const d = m.dict<string, number>();
      await d.set('a', 1);
      expect(await d.get('a')).toBe(1);
      const q = m.Queue<number>();
      await q.put(1);
      expect(await q.get()).toBe(1);
      expect(await (await m.Queue2()).ok()).toBe(true);
    } finally {
      await m.shutdown();
    }
  });
});
