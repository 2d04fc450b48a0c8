// `register(typeid, factory, { exposed })` is Python's `exposed=`: the proxies have only the listed
// methods (names starting with `_` too) and the server refuses any other, so calling one rejects
// with ValidationError; other options (Python's proxytype=, method_to_typeid=) are refused.
import { BaseManager, type BaseProxy } from '@multiproc/ipc';
import { ValidationError } from '@multiproc/shared';
import { expect, it } from 'vitest';
import { managerTestKit } from './manager-kit.js';

const { cleanup } = managerTestKit();

class FooBar {
  f() {
    return 'f()';
  }
  g() {
    throw new RangeError('g');
  }
  _h() {
    return '_h()';
  }
}

type Bar = BaseProxy & { f(): Promise<string>; g(): Promise<never>; _h(): Promise<string> };

async function serve(exposed?: string[]) {
  const server = new BaseManager().register('Bar', FooBar, exposed ? { exposed } : undefined);
  const address = await server.start();
  cleanup.push(() => server.shutdown());
  return { server, address };
}

it("only the exposed methods run, '_h' included; another rejects with ValidationError naming exposed", async () => {
  const { server } = await serve(['f', '_h']);
  const bar = (await server.create('Bar')) as Bar;
  expect(await bar.f()).toBe('f()');
  expect(await bar._h()).toBe('_h()');
  await expect(bar.g()).rejects.toThrow(ValidationError);
  await expect(bar.g()).rejects.toThrow(/'g' is not exposed .*exposed: f, _h/);
  // The server refuses it too: a call that does not go through the proxy's methods.
  await expect(bar.callMethod('g')).rejects.toThrow(ValidationError);
});

it('a client connected by address gets the same exposed methods from the reference', async () => {
  const { address } = await serve(['f']);
  const client = new BaseManager({ address }).register('Bar');
  await client.connect();
  const bar = (await client.create('Bar')) as Bar;
  expect(await bar.f()).toBe('f()');
  await expect(bar._h()).rejects.toThrow(/'_h' is not exposed/);
});

it("without exposed, every public method runs and '_h' is refused, as in Python", async () => {
  const { server } = await serve();
  const bar = (await server.create('Bar')) as Bar;
  expect(await bar.f()).toBe('f()');
  await expect(bar.g()).rejects.toThrow(RangeError);
  await expect(bar._h()).rejects.toThrow(/no public method '_h'/);
});

it('other options and a bad exposed are refused with ValidationError', () => {
  const m = new BaseManager();
  expect(() => m.register('A', FooBar, { proxytype: 1 } as never)).toThrow(/Unknown option|proxytype/);
  expect(() => m.register('A', FooBar, { proxytype: 1 } as never)).toThrow(ValidationError);
  expect(() => m.register('A', FooBar, { exposed: 'f' as never })).toThrow(ValidationError);
  expect(() => m.register('A', FooBar, { exposed: [1 as never] })).toThrow(ValidationError);
});

class Clashing {
  toString() {
    return 'served toString';
  }
  // biome-ignore lint/suspicious/noThenProperty: the served method a proxy must never turn into its own then
  then() {
    return 'served then';
  }
  typeid() {
    return 'served typeid';
  }
  f() {
    return 'f()';
  }
}

it("an exposed name every proxy has itself ('toString', 'then', 'callMethod', …) is refused at register(), naming it", () => {
  const m = new BaseManager();
  for (const name of [
    'toString',
    'then',
    'callMethod',
    'typeid',
    'toJSON',
    'constructor',
    'valueOf',
    'hasOwnProperty',
  ]) {
    expect(() => m.register('A', Clashing, { exposed: ['f', name] }), name).toThrow(ValidationError);
    expect(() => m.register('A', Clashing, { exposed: ['f', name] }), name).toThrow(
      new RegExp(`register\\('A'\\): exposed names '${name}', which every proxy has itself`),
    );
  }
});

it("without exposed, such a method stays the proxy's own (never a thenable) and callMethod() reaches the served one", async () => {
  const server = new BaseManager().register('Clashing', Clashing);
  await server.start();
  cleanup.push(() => server.shutdown());
  const c = (await server.create('Clashing')) as BaseProxy & { f(): Promise<string> };
  expect(await c.f()).toBe('f()');
  expect(String(c)).toMatch(/AutoProxy <manager 'Clashing'/);
  expect(c.typeid).toBe('Clashing');
  expect('then' in c).toBe(false);
  expect(await c.callMethod('toString')).toBe('served toString');
  expect(await c.callMethod('then')).toBe('served then');
});
