// A proxy method that returns a Promise reports every bad argument value by rejecting, never by
// throwing synchronously (CONTRACT.md: "A method that returns a Promise reports every error by
// rejecting"). Every such method of every proxy class is called here with arguments of every wrong
// kind; before, `l.extend(5)` and `l.extend(proxy)` threw a TypeError at the call. The methods that
// are synchronous by design (`acquireSync()`, `waitSync()`, ...: they throw ContextError saying which
// awaited method to call) are left out. One exception: a call given more arguments than the method
// takes throws at the call, as the thread primitive's method does, unless the method waits
// (manager-extra-arguments.test.ts).
import { BaseManager, BaseProxy, ValidationError } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';
import { managerTestKit } from './manager-kit.js';

const kit = managerTestKit();

// Synchronous by design: they return no Promise.
const SYNC = new Set([
  'constructor',
  'client',
  'toString',
  'toJSON',
  'getLock',
  'isOwned',
  'acquireSync',
  'waitSync',
  'waitForSync',
  // Throws LockError at once when this side knows it fails, as a thread Lock's release() does: a
  // documented exception (sharing-state.md, "A lock's release() answers at once";
  // manager-release-known.test.ts).
  'release',
]);

/** Every method name a proxy's class chain defines, down to BaseProxy's (getters left out). */
function methodsOf(proxy: object): string[] {
  const names = new Set<string>();
  for (
    let p = Object.getPrototypeOf(proxy);
    p && p !== Object.getPrototypeOf(BaseProxy.prototype);
    p = Object.getPrototypeOf(p)
  ) {
    for (const name of Object.getOwnPropertyNames(p)) {
      const d = Object.getOwnPropertyDescriptor(p, name);
      if (d && typeof d.value === 'function' && !SYNC.has(name)) names.add(name);
    }
  }
  return [...names];
}

const throwingIterable = {
  [Symbol.iterator]() {
    throw new Error('cannot be read');
  },
};

const BAD_ARGS: unknown[][] = [
  [],
  [undefined],
  [null],
  [5],
  ['x'],
  [{}],
  [Symbol('s')],
  [() => 1],
  [throwingIterable],
  [Number.NaN, {}, 'x'],
  [-1, 1.5, -1],
  [1, null, throwingIterable],
];

describe('proxy methods that return a Promise never throw synchronously', () => {
  it('for any argument, on every proxy class', { timeout: 30_000 }, async () => {
    const m = await kit.manager();
    const server = new BaseManager();
    server.register('Thing', () => ({ f: (x: unknown) => x }));
    await server.start();
    kit.cleanup.push(() => server.shutdown());
    const proxies: Record<string, object> = {
      dict: m.dict(),
      list: m.list([1]),
      Namespace: m.Namespace(),
      Value: m.Value('i', 0),
      Array: m.Array('i', 2),
      Lock: m.Lock(),
      RLock: m.RLock(),
      Semaphore: m.Semaphore(1),
      BoundedSemaphore: m.BoundedSemaphore(1),
      Event: m.Event(),
      Condition: m.Condition(),
      Barrier: m.Barrier(2),
      Queue: m.Queue(),
      JoinableQueue: m.JoinableQueue(),
      Thing: await server.create('Thing'),
    };
    const thrown: string[] = [];
    // The methods that wait, which refuse an argument too many by rejecting too.
    const waits = (typeid: string, name: string) =>
      ['acquire', 'withLock', 'wait', 'waitFor'].includes(name) ||
      (typeid.endsWith('Queue') && ['put', 'get', 'join'].includes(name));
    const tooMany = (err: unknown, typeid: string, name: string) =>
      err instanceof ValidationError &&
      /takes .* but was given/.test(err.message) &&
      !waits(typeid, name) &&
      typeid !== 'Thing';
    const pending: Promise<unknown>[] = [];
    let calls = 0;
    for (const [typeid, proxy] of Object.entries(proxies)) {
      const names = typeid === 'Thing' ? ['f', 'nope', 'callMethod'] : methodsOf(proxy);
      expect(names.length).toBeGreaterThan(0);
      for (const name of names) {
        for (const args of BAD_ARGS) {
          calls++;
          try {
            const r = (proxy as Record<string, (...a: unknown[]) => unknown>)[name]!(...args);
            if (typeof (r as Promise<unknown>)?.then !== 'function')
              thrown.push(`${typeid}.${name}: returned ${String(r)}`);
            else
              pending.push(
                Promise.race([
                  (r as Promise<unknown>).catch(() => {}),
                  new Promise((res) => setTimeout(res, 50)),
                ]),
              );
          } catch (err) {
            if (tooMany(err, typeid, name)) continue;
            thrown.push(`${typeid}.${name}(${args.map((a) => typeof a).join(', ')}): ${(err as Error).name}`);
          }
        }
      }
    }
    expect(thrown).toEqual([]);
    expect(calls).toBeGreaterThan(500);
    await Promise.all(pending);
  });
});
