import {
  ClosedError,
  JoinableQueue,
  Pipe,
  Queue,
  QueueEmptyError,
  QueueFullError,
  SerializationError,
  SimpleQueue,
  ValidationError,
  wait,
} from '@multiproc/ipc';
import { decodeValue, encodeValue } from '@multiproc/shared';
import { afterEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { z } from 'zod';
import { matrix } from '../../../test-support/matrix.ts';
import { type Context, killAll, startPeer } from './helpers.js';

afterEach(killAll);

describe('Queue in one thread', () => {
  it('is FIFO with qsize/empty/full', async () => {
    const q = new Queue<number>({ maxsize: 3 });
    expect(q.empty()).toBe(true);
    await q.put(1);
    q.putNowait(2);
    await q.put(3);
    expect([q.qsize(), q.empty(), q.full()]).toEqual([3, false, true]);
    expect([await q.get(), q.getNowait(), await q.get()]).toEqual([1, 2, 3]);
  });

  it('putNowait/getNowait throw QueueFullError/QueueEmptyError', () => {
    const q = new Queue({ maxsize: 1 });
    expect(() => q.getNowait()).toThrow(QueueEmptyError);
    q.putNowait('a');
    try {
      q.putNowait('b');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(QueueFullError);
      expect((err as QueueFullError).code).toBe('MP_QUEUE_FULL');
    }
  });

  it('put on a full queue waits for a get, or rejects after its timeout', async () => {
    const q = new Queue<number>({ maxsize: 1 });
    await q.put(1);
    await expect(q.put(2, { timeout: 10 })).rejects.toBeInstanceOf(QueueFullError);
    const blocked = q.put(3);
    let done = false;
    void blocked.then(() => {
      done = true;
    });
    await Promise.resolve();
    expect(done).toBe(false);
    expect(await q.get()).toBe(1);
    await blocked;
    expect(await q.get()).toBe(3);
    await expect(q.get({ timeout: 10 })).rejects.toMatchObject({ code: 'MP_QUEUE_EMPTY' });
  });

  it('validates options and timeouts', async () => {
    expect(() => new Queue({ maxsize: 1.5 })).toThrow(ValidationError);
    expect(() => new Queue({ maxsize: 1.5 })).toThrow(/maxsize/);
    // Each bad option's message shows the value given and what to give instead.
    for (const [make, shows] of [
      [() => new Queue({ maxsize: 1.5 }), /'maxsize' .*whole number.*got the number 1\.5/],
      [() => new Queue(Number.NaN), /'maxsize' .*whole number.*got the number NaN/],
      [() => new JoinableQueue({ maxsize: 'x' as never }), /'maxsize' .*whole number.*got the string 'x'/],
      [() => Pipe({ duplex: 'yes' as never }), /'duplex' .*true .* or false .*got the string 'yes'/],
      [() => new SimpleQueue({ schema: 5 as never }), /'schema' .*zod 4 schema.*got the number 5/],
    ] as const) {
      expect(make).toThrow(ValidationError);
      expect(make).toThrow(shows);
    }
    expect(() => new Queue({ schema: 3 as never })).toThrow(/schema/);
    await expect(new Queue().get({ timeout: Number.NaN })).rejects.toBeInstanceOf(ValidationError);
    // Python's mp.Queue.get(timeout=-1) raises Empty at once.
    await expect(new Queue().get({ timeout: -1 })).rejects.toBeInstanceOf(QueueEmptyError);
  });

  it('names the unsendable part of a value', async () => {
    const q = new Queue();
    const err = await q.put({ onDone: () => {} }).catch((e) => e);
    expect(err).toBeInstanceOf(SerializationError);
    expect(err.path).toBe('value.onDone');
    expect(() => q.putNowait({ onDone: Symbol('x') })).toThrow(/value\.onDone/);
  });

  it('copies values by structured clone (Map, Date, bigint, cycles)', async () => {
    const q = new Queue();
    const cyc: any = { m: new Map([[1, new Date(5)]]), n: 10n, u: undefined };
    cyc.self = cyc;
    await q.put(cyc);
    const got: any = await q.get();
    expect(got).not.toBe(cyc);
    expect(got.self).toBe(got);
    expect(got.m.get(1)).toEqual(new Date(5));
    expect(got.n).toBe(10n);
    expect('u' in got).toBe(true);
  });

  it('copies a plain value at put: later changes, own __proto__ keys and -0 come out as sent', async () => {
    const q = new Queue();
    const v: any = { a: [1, { b: 'x' }], n: null, t: true };
    await q.put(v);
    v.a[1].b = 'changed';
    v.a.push(2);
    const own = JSON.parse('{"__proto__": {"polluted": 1}, "k": 1}');
    await q.put(own);
    await q.put([-0, 1.5]);
    expect(await q.get()).toEqual({ a: [1, { b: 'x' }], n: null, t: true });
    const gotOwn: any = await q.get();
    expect(Object.getPrototypeOf(gotOwn)).toBe(Object.prototype);
    expect(Object.keys(gotOwn)).toEqual(['__proto__', 'k']);
    expect(gotOwn.polluted).toBeUndefined();
    const [z, f] = (await q.get()) as number[];
    expect(Object.is(z, -0)).toBe(true);
    expect(f).toBe(1.5);
  });

  it('drops symbol-keyed fields as structured clone does, taken here or by a thread copy', async () => {
    const q = new Queue();
    const copy = decodeValue(encodeValue(q, 'thread').value, 'thread') as Queue;
    const s = Symbol('s');
    const make = (): any => ({ a: 1, [s]: 'no', n: { [s]: 2, b: [{ [s]: 3, c: 'x' }] } });
    const expected = structuredClone(make());
    await q.put(make());
    const here: any = await q.get();
    await q.put(make());
    const there: any = await copy.get();
    for (const got of [here, there]) {
      expect(got).toEqual(expected);
      expect(Object.getOwnPropertySymbols(got)).toEqual([]);
      expect(Object.getOwnPropertySymbols(got.n)).toEqual([]);
      expect(Object.getOwnPropertySymbols(got.n.b[0])).toEqual([]);
    }
    copy.close();
  });

  it('validates gets with a schema: a bad item rejects, the next arrives', async () => {
    const q = new Queue({ schema: z.object({ id: z.number().int() }) });
    expectTypeOf<Awaited<ReturnType<typeof q.get>>>().toEqualTypeOf<{ id: number }>();
    await (q as Queue<unknown>).put({ id: 'x' });
    await q.put({ id: 2 });
    const err = await q.get().catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.issues[0].path).toEqual(['id']);
    expect(await q.get()).toEqual({ id: 2 });
  });

  it('get() reports every failure by rejecting, also when its item is already here', async () => {
    const q = new Queue({ schema: z.number() });
    const copy = decodeValue(encodeValue(q, 'thread').value, 'thread') as Queue<number>;
    // Items here at once: a bad one rejects, the good ones after it resolve in order.
    await (q as Queue<unknown>).put('x');
    await q.put(1);
    await q.put(2);
    const calls: Array<() => Promise<number>> = [
      () => q.get(),
      () => q.get(),
      () => q.get({ timeout: Number.NaN }),
      () => q.get({ block: false }),
      () => q.get(),
    ];
    const settled: Array<Promise<number>> = [];
    for (const call of calls) {
      let p: Promise<number> | undefined;
      expect(() => {
        p = call();
      }).not.toThrow();
      settled.push(p as Promise<number>);
      if (settled.length === 4) q.close(); // the last get comes after close()
    }
    const out = await Promise.allSettled(settled);
    expect(out.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).name))).toEqual([
      'ValidationError',
      1,
      'ValidationError',
      2,
      'ClosedError',
    ]);
    copy.close();
    let p: Promise<number> | undefined;
    expect(() => {
      p = copy.get();
    }).not.toThrow();
    await expect(p).rejects.toBeInstanceOf(ClosedError);
  });

  it('throws ClosedError after close(); joinThread() needs close()', async () => {
    const q = new Queue();
    await expect(q.joinThread()).rejects.toThrow(/close/);
    q.close();
    await q.joinThread();
    await expect(q.put(1)).rejects.toBeInstanceOf(ClosedError);
    expect(() => q.getNowait()).toThrow(ClosedError);
    expect(() => q.qsize()).toThrow(ClosedError);
  });

  it('JoinableQueue: join waits for taskDone; too many calls throw', async () => {
    const jq = new JoinableQueue<number>();
    await jq.put(1);
    await jq.put(2);
    let joined = false;
    const j = jq.join().then(() => {
      joined = true;
    });
    await jq.get();
    jq.taskDone();
    await Promise.resolve();
    expect(joined).toBe(false);
    await jq.get();
    jq.taskDone();
    await j;
    expect(joined).toBe(true);
    expect(() => jq.taskDone()).toThrow(ValidationError);
  });

  it('SimpleQueue puts and gets', async () => {
    const sq = new SimpleQueue<string>();
    expect(sq.empty()).toBe(true);
    await sq.put('a');
    expect(sq.empty()).toBe(false);
    expect(await sq.get()).toBe('a');
    sq.close();
    await expect(sq.get()).rejects.toBeInstanceOf(ClosedError);
  });

  it('wait() includes queues', async () => {
    const q = new Queue();
    const [a, b] = Pipe();
    const pending = wait([q, b]);
    await q.put(1);
    expect(await pending).toEqual([q]);
    a.close();
  });
});

// CI sends 2000 per producer, `npm run test:full` (see vitest.shared.ts) 10,000.
const PER_PRODUCER = process.env.MULTIPROC_TESTS === 'full' ? 10_000 : 2000;

describe('Queue shared by threads and processes at once', () => {
  it('a thread and a process produce, a thread and a process consume, counted exactly', async () => {
    const q = new Queue<[number, number] | null>({ maxsize: 100 });
    const consumers = [startPeer('thread', 'consume', q), startPeer('process', 'consume', q)];
    const producers = [
      startPeer('thread', 'produce', q, 0, 3000),
      startPeer('process', 'produce', q, 1, 3000),
    ];
    await Promise.all(producers.map((p) => p.result));
    await q.put(null);
    await q.put(null);
    const results = (await Promise.all(consumers.map((c) => c.result))) as {
      count: number;
      ordered: boolean;
    }[];
    expect(results.every((r) => r.ordered)).toBe(true);
    expect(results[0]!.count + results[1]!.count).toBe(6000);
  }, 120_000);
});

describe.each(matrix(import.meta.url))('Queue across %s peers', (ctx) => {
  it(`2 producers x 2 consumers x ${PER_PRODUCER} items: no loss, no duplicate, FIFO per producer`, async () => {
    const q = new Queue<[number, number] | null>();
    const consumers = [startPeer(ctx, 'consume', q), startPeer(ctx, 'consume', q)];
    const producers = [
      startPeer(ctx, 'produce', q, 0, PER_PRODUCER),
      startPeer(ctx, 'produce', q, 1, PER_PRODUCER),
    ];
    expect(await Promise.all(producers.map((p) => p.result))).toEqual([PER_PRODUCER, PER_PRODUCER]);
    await q.put(null);
    await q.put(null);
    const results = (await Promise.all(consumers.map((c) => c.result))) as {
      count: number;
      ordered: boolean;
    }[];
    expect(results.every((r) => r.ordered)).toBe(true);
    expect(results[0]!.count + results[1]!.count).toBe(2 * PER_PRODUCER);
    expect(q.qsize()).toBe(0);
  }, 150_000); // about 3 s alone; CI runs every suite at once on 2 cores

  it('the same items arrive exactly once when the main thread consumes too', async () => {
    const q = new Queue<[number, number]>();
    const producer = startPeer(ctx, 'produce', q, 7, 2000);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const [id, n] = await q.get();
      expect(id).toBe(7);
      expect(n).toBe(i);
      seen.add(n);
    }
    expect(seen.size).toBe(2000);
    await producer.result;
  });

  it('a bounded queue blocks a remote producer until items are taken', async () => {
    const q = new Queue<[number, number]>({ maxsize: 5 });
    const producer = startPeer(ctx, 'produce', q, 1, 50);
    // The producer can only finish if we keep taking; the queue never holds more than maxsize.
    for (let i = 0; i < 50; i++) {
      expect(q.qsize()).toBeLessThanOrEqual(5);
      expect(await q.get()).toEqual([1, i]);
    }
    expect(await producer.result).toBe(50);
  });

  it('a consumer killed mid-stream leaves the queue working for the others', async () => {
    const q = new Queue<number>();
    const [seenR, seenW] = Pipe<number>({ duplex: false });
    const victim = startPeer(ctx, 'consumeReporting', q, seenW);
    seenW.close();
    for (let i = 0; i < 1000; i++) await q.put(i);
    // Wait until the victim is mid-stream, then kill it.
    expect(await seenR.recv()).toBe(0);
    await victim.kill();
    for (let i = 1000; i < 1100; i++) await q.put(i);
    const survivor = startPeer(ctx, 'getUntil', q, 1099);
    const got = (await survivor.result) as number[];
    // Whatever the victim had fetched is gone with it; the rest comes in order, exactly once.
    for (let i = 1; i < got.length; i++) expect(got[i]!).toBe(got[i - 1]! + 1);
    expect(got.at(-1)).toBe(1099);
    expect(got.length).toBeGreaterThanOrEqual(100);
    // The survivor's report of what it consumed travels beside its result.
    await vi.waitFor(() => expect(q.qsize()).toBe(0), { timeout: 5000 });
  });

  it('items a consumer fetched ahead come back when it ends without close()', async () => {
    const q = new Queue<number>();
    for (let i = 0; i < 100; i++) await q.put(i);
    const peer = startPeer(ctx, 'getN', q, 10);
    expect(await peer.result).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const rest: number[] = [];
    for (let i = 10; i < 100; i++) rest.push(await q.get({ timeout: 10_000 }));
    // They come back when the peer's link closes, possibly after items that never left.
    expect(rest.sort((x, y) => x - y)).toEqual(Array.from({ length: 90 }, (_, i) => i + 10));
  });

  it('the worker flush hook gives fetched-ahead items back in order', async () => {
    const q = new Queue<number>();
    for (let i = 0; i < 100; i++) await q.put(i);
    const peer = startPeer(ctx, 'getNThenFlush', q, 10);
    expect(await peer.result).toHaveLength(10);
    const rest: number[] = [];
    for (let i = 10; i < 100; i++) rest.push(await q.get({ timeout: 10_000 }));
    expect(rest).toEqual(Array.from({ length: 90 }, (_, i) => i + 10));
  });

  it('a JoinableQueue is joined across the boundary', async () => {
    const jq = new JoinableQueue<number | null>();
    const worker = startPeer(ctx, 'joinable', jq);
    for (let i = 0; i < 100; i++) await jq.put(i);
    await jq.put(null);
    await jq.join();
    expect(await worker.result).toBe('done');
  });

  it('a SimpleQueue and a schema travel to the peer', async () => {
    const sq = new SimpleQueue<number>();
    const peer = startPeer(ctx, 'getN', sq, 3);
    await sq.put(1);
    await sq.put(2);
    await sq.put(3);
    expect(await peer.result).toEqual([1, 2, 3]);
  });
});
