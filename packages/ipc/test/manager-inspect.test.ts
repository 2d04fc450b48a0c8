// console.log() of a manager proxy says what it is and how to read it (Python prints a proxy's
// repr): a bare `DictProxy {}` read as an empty dict.
import { inspect } from 'node:util';
import { BaseManager } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { core } from './core.js';
import { managerTestKit } from './manager-kit.js';

const { tasks } = await import(new URL('./fixtures/inspect-tasks.mjs', import.meta.url).href);
const { cleanup, manager } = managerTestKit();

async function proxies() {
  const m = await manager();
  const server = new BaseManager({ address: ['127.0.0.1', 0], authkey: 'k' });
  server.register('counter', () => ({ get: () => 1 }));
  await server.start();
  cleanup.push(() => server.shutdown());
  const pctx = core.getContext('process');
  return {
    dict: [m.dict([['a', 1]]), 'DictProxy', 'dict', 'await d.copy()'],
    list: [m.list([1]), 'ListProxy', 'list', 'await l.copy()'],
    namespace: [m.Namespace({ x: 1 }), 'NamespaceProxy', 'Namespace', 'await ns.copy()'],
    value: [m.Value('i', 1), 'ValueProxy', 'Value', 'await v.get()'],
    array: [m.Array('i', [1]), 'ArrayProxy', 'Array', 'await a.copy()'],
    synchronizedValue: [pctx.Value('i', 1), 'SynchronizedValueProxy', 'Value', 'await v.get()'],
    synchronizedArray: [pctx.Array('i', [1]), 'SynchronizedArrayProxy', 'Array', 'await a.copy()'],
    queue: [m.Queue(), 'QueueProxy', 'Queue', 'await q.get()'],
    lock: [m.Lock(), 'LockProxy', 'Lock', 'await lock.locked()'],
    auto: [await server.create('counter'), 'AutoProxy', 'counter', 'await p.method()'],
  } as Record<string, [object, string, string, string]>;
}

const shape = (name: string, typeid: string, hint: string) =>
  new RegExp(`^${name} <manager '${typeid}' #\\d+: .*${hint.replace(/[.()]/g, '\\$&')}.*>$`);

describe('a manager proxy printed', () => {
  it('names its class, the manager type and id, and how to read it; String() says the same', {
    timeout: 20_000,
  }, async () => {
    for (const [proxy, name, typeid, hint] of Object.values(await proxies())) {
      expect(inspect(proxy)).toMatch(shape(name, typeid, hint));
      expect(String(proxy)).toBe(inspect(proxy));
      expect(inspect({ nested: proxy })).toContain(`${name} <manager '${typeid}'`);
    }
  });
});

describe.each(matrix(import.meta.url))('a manager proxy printed in a worker (%s)', (context) => {
  it('prints the same there', { timeout: 30_000 }, async () => {
    const all = Object.values(await proxies());
    const pool = new core.Pool({ processes: 1, context });
    cleanup.push(() => pool.terminate());
    const shown: string[] = await pool.apply(tasks.shown, [all.map(([proxy]) => proxy)]);
    shown.forEach((text, i) => {
      const [, name, typeid, hint] = all[i]!;
      expect(text).toMatch(shape(name, typeid, hint));
    });
  });
});
