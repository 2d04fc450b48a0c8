// A value whose decoder reports a load pending (shared's decode-loads.ts; core's task references
// report their module) is handed over by get()/recv() once loaded; receives stay in FIFO order, a
// failed load rejects its own receive only and consumes the item, getNowait() does not wait, and an
// unrelated queue is never delayed. The loads are deferred promises this test settles by hand.
import { JoinableQueue, Pipe, Queue } from '@multiproc/ipc';
import { encodeSymbol, registerCodec, registerDecodeLoader } from '@multiproc/shared';
import { afterEach, describe, expect, it } from 'vitest';

class Plugin {
  readonly key: string;
  constructor(key: string) {
    this.key = key;
  }
  [encodeSymbol]() {
    return { type: 'test.decodeLoads.Plugin', data: this.key };
  }
}

type Deferred = { promise: Promise<void>; resolve: () => void; reject: (err: Error) => void; calls: number };
const loads = new Map<string, Deferred>();
function load(key: string): Deferred {
  let d = loads.get(key);
  if (!d) {
    let resolve!: () => void;
    let reject!: (err: Error) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    d = { promise, resolve, reject, calls: 0 };
    loads.set(key, d);
  }
  return d;
}
registerCodec('test.decodeLoads.Plugin', (key: string, ctx) => {
  ctx.needs?.('test.decodeLoads', key);
  return new Plugin(key);
});
registerDecodeLoader('test.decodeLoads', (key) => {
  const d = load(key);
  d.calls++;
  return d.promise;
});

let keys = 0;
const fresh = (): string => `k${++keys}`;
/** Lets every pending turn run (the port links deliver within a few). */
const turns = async (n = 20): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};
/** Starts `n` receives at once; returns what settled, in the order it settled. */
function receiveAll(receive: () => Promise<unknown>, n: number): unknown[] {
  const order: unknown[] = [];
  for (let i = 0; i < n; i++) {
    receive().then(
      (v) => order.push(v instanceof Plugin ? `plugin:${v.key}` : v),
      (err: Error) => order.push(`error:${err.message}`),
    );
  }
  return order;
}

const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

describe('a received value with a load pending', { timeout: 10_000 }, () => {
  it('resolves get() once loaded, in FIFO order with the items around it', async () => {
    const q = new Queue<unknown>();
    closers.push(() => q.close());
    const key = fresh();
    for (const v of [1, new Plugin(key), 2, 3]) await q.put(v);
    const order = receiveAll(() => q.get(), 4);
    await turns();
    expect(order).toEqual([1]);
    load(key).resolve();
    await turns();
    expect(order).toEqual([1, `plugin:${key}`, 2, 3]);
    expect(load(key).calls).toBe(1);
  });

  it('rejects only its own recv() when the load fails, the item consumed', async () => {
    const [a, b] = Pipe();
    closers.push(
      () => a.close(),
      () => b.close(),
    );
    const key = fresh();
    for (const v of [new Plugin(key), 4, 5]) a.send(v);
    const order = receiveAll(() => b.recv(), 3);
    await turns();
    expect(order).toEqual([]);
    load(key).reject(new Error('cannot load'));
    await turns();
    expect(order).toEqual(['error:cannot load', 4, 5]);
  });

  it('marks a JoinableQueue item whose load failed done', async () => {
    const q = new JoinableQueue<unknown>();
    closers.push(() => q.close());
    const key = fresh();
    await q.put(new Plugin(key));
    load(key).reject(new Error('cannot load'));
    await expect(q.get()).rejects.toThrow('cannot load');
    await q.join();
  });

  it('is handed over by getNowait() without waiting', async () => {
    const q = new Queue<unknown>();
    closers.push(() => q.close());
    const key = fresh();
    await q.put(new Plugin(key));
    expect(q.getNowait()).toBeInstanceOf(Plugin);
    expect(loads.has(key)).toBe(false);
  });

  it('never delays another queue', async () => {
    const q1 = new Queue<unknown>();
    const q2 = new Queue<unknown>();
    closers.push(
      () => q1.close(),
      () => q2.close(),
    );
    const key = fresh();
    await q1.put(new Plugin(key));
    await q2.put('other');
    const first = receiveAll(() => q1.get(), 1);
    expect(await q2.get()).toBe('other');
    expect(first).toEqual([]);
    load(key).resolve();
    await turns();
    expect(first).toEqual([`plugin:${key}`]);
  });
});
