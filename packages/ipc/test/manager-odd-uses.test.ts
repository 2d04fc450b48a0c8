// A manager driven the odd ways a user may drive it: a registered typeid that JavaScript reads
// specially ('then'), a factory that makes no object (a primitive, null, a Promise), and
// shutdown() while connect() is still on its way, connect() called again once connected.
import { BaseManager, ClosedError, Manager, SyncManager, ValidationError } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';
import { keptManagers } from './managers-kept.js';

const kept = keptManagers();

describe('a typeid JavaScript calls itself', () => {
  it('adds no then() to the manager, which would make it a thenable; create() makes it', {
    timeout: 10_000,
  }, async () => {
    const m = kept(new BaseManager());
    const returned = m.register('then', () => ({ f: () => 7 }));
    expect(returned).toBe(m);
    expect('then' in m).toBe(false);
    // Awaiting the manager (an async function returning it) gives the manager, not a create() call.
    expect(await (async () => m)()).toBe(m);
    await m.start();
    const p = await m.create<{ f(): number }>('then');
    expect(await p.f()).toBe(7);
    // The same on a SyncManager and on a connecting manager.
    const s = kept(new SyncManager());
    s.register('then', () => ({}));
    expect('then' in s).toBe(false);
    const c = new BaseManager({ address: m.address }).register('then');
    expect('then' in c).toBe(false);
    await c.connect();
    expect(await (await c.create<{ f(): number }>('then')).f()).toBe(7);
  });

  it("register('toJSON') adds no toJSON(), which JSON.stringify() would call", {
    timeout: 10_000,
  }, async () => {
    const m = kept(new BaseManager());
    m.register('toJSON', () => ({ f: () => 8 }));
    expect('toJSON' in m).toBe(false);
    await m.start();
    expect(await (await m.create<{ f(): number }>('toJSON')).f()).toBe(8);
  });
});

describe('a factory that makes no object', () => {
  it.each([
    ['a number', () => 5, /returned a number/],
    ['null', () => null, /returned null/],
    ['undefined', () => undefined, /returned undefined/],
    ['a string', () => 'text', /returned a string/],
    ['a Promise (an async factory)', async () => ({ f: () => 1 }), /returned a Promise/],
  ])(
    '%s: create() rejects with TypeError saying so, and nothing is served',
    {
      timeout: 10_000,
    },
    async (_, factory, message) => {
      const m = kept(new BaseManager());
      m.register('Odd', factory as () => object);
      await m.start();
      const before = await m.numberOfObjects();
      const error = await m.create('Odd').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).toMatch(/register\('Odd'\)/);
      expect(await m.numberOfObjects()).toBe(before);
      // From a connected manager too: the same error comes back.
      const c = new BaseManager({ address: m.address }).register('Odd');
      await c.connect();
      const remote = await c.create('Odd').catch((e: unknown) => e);
      expect(remote).toBeInstanceOf(TypeError);
      expect((remote as Error).message).toMatch(message);
      expect(await m.numberOfObjects()).toBe(before);
    },
  );

  it('a function or a class instance is served as before', { timeout: 10_000 }, async () => {
    const m = kept(new BaseManager());
    const fn = Object.assign(() => 1, { f: () => 2 });
    m.register('Fn', () => fn).register('Obj', () => ({ f: () => 3 }));
    await m.start();
    expect(await (await m.create<{ f(): number }>('Fn')).f()).toBe(2);
    expect(await (await m.create<{ f(): number }>('Obj')).f()).toBe(3);
  });
});

describe('shutdown() while connect() is on its way', () => {
  it('connect() rejects with ClosedError and the manager stays shut down', { timeout: 10_000 }, async () => {
    const server = kept(Manager());
    await server.dict().len(); // serving
    const c = new SyncManager({ address: server.address });
    const connecting = c.connect();
    await c.shutdown();
    const error = await connecting.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClosedError);
    expect((error as Error).message).toMatch(/shut down/);
    expect(() => c.dict()).toThrow(ClosedError);
    await expect(c.create('dict')).rejects.toThrow(ClosedError);
  });

  it('two connect() calls at once both resolve, and the manager is usable', { timeout: 10_000 }, async () => {
    const server = kept(Manager());
    const c = new SyncManager({ address: server.address });
    await Promise.all([c.connect(), c.connect()]);
    const d = c.dict<string, number>();
    await d.set('a', 1);
    expect(await d.get('a')).toBe(1);
  });
});

describe('connect() a second time', () => {
  it('connects again (as Python), stays connected; shutdown() still ends it, and connect() after it rejects', {
    timeout: 10_000,
  }, async () => {
    const server = kept(Manager());
    const c = new SyncManager({ address: server.address });
    await c.connect();
    await c.connect();
    const d = c.dict<string, number>();
    await d.set('a', 1);
    expect(await d.get('a')).toBe(1);
    expect(c.address).toEqual(server.address);
    await c.shutdown();
    expect(() => c.dict()).toThrow(ClosedError);
    await expect(c.connect()).rejects.toThrow(ClosedError);
    // The serving manager was not ended by the client's shutdown().
    expect(await server.dict().len()).toBe(0);
  });

  it('on the manager that serves from this program: resolves (Python connects to its own server), still serving', {
    timeout: 10_000,
  }, async () => {
    const m = kept(new BaseManager({ address: ['127.0.0.1', 0], authkey: 'own' }));
    m.register('counter', () => ({ next: (n: number) => n + 1 }));
    const address = await m.start();
    await m.connect();
    await m.connect();
    expect(m.address).toEqual(address);
    expect(await (await m.create<{ next(n: number): number }>('counter')).next(1)).toBe(2);
    // Manager() returns one serving already: the same.
    const s = kept(Manager());
    await s.connect();
    expect(await s.list([1, 2]).len()).toBe(2);
    await m.shutdown();
    await expect(m.connect()).rejects.toThrow(ClosedError);
  });
});

describe('callMethod() without a method name', () => {
  it('rejects with ValidationError naming what it got; the proxy goes on', { timeout: 10_000 }, async () => {
    const m = kept(new SyncManager());
    await m.start();
    const l = m.list([3, 1, 2]);
    for (const bad of [undefined, '', 5, Symbol('sort')]) {
      const call = (l.callMethod as (...a: unknown[]) => Promise<unknown>)(bad);
      await expect(call).rejects.toThrow(ValidationError);
      await expect(call).rejects.toThrow(/takes the name of a method of the served object first/);
    }
    await l.callMethod('sort');
    expect(await l.copy()).toEqual([1, 2, 3]);
  });
});
