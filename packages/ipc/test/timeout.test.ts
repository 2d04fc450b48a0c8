import {
  JoinableQueue,
  Manager,
  Pipe,
  Queue,
  QueueEmptyError,
  QueueFullError,
  ValidationError,
  wait,
} from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';

describe('ipc waiting methods take ms or { timeout } (and { block: false } for queues)', () => {
  for (const [name, make] of [
    ['Queue', () => new Queue<number>({ maxsize: 1 })],
    ['JoinableQueue', () => new JoinableQueue<number>({ maxsize: 1 })],
  ] as const) {
    it(`${name}.get/put time out with a number, { timeout } or { block: false }`, async () => {
      const q = make();
      await expect(q.get(20)).rejects.toBeInstanceOf(QueueEmptyError);
      await expect(q.get({ timeout: 20 })).rejects.toBeInstanceOf(QueueEmptyError);
      await expect(q.get({ block: false })).rejects.toBeInstanceOf(QueueEmptyError);
      await q.put(1, 20);
      await expect(q.put(2, 20)).rejects.toBeInstanceOf(QueueFullError);
      await expect(q.put(2, { timeout: 20 })).rejects.toBeInstanceOf(QueueFullError);
      await expect(q.put(2, { block: false, timeout: 10_000 })).rejects.toBeInstanceOf(QueueFullError);
      expect(await q.get({ block: false })).toBe(1);
      q.close();
    });

    it(`${name}.get(true, 0.5) (Python's spelling) throws ValidationError; get(0.5) waits 0.5 ms`, async () => {
      const q = make();
      await expect((q.get as (...a: unknown[]) => Promise<number>)(true, 0.5)).rejects.toBeInstanceOf(
        ValidationError,
      );
      // Any number of ms is a timeout, fractions too (a deadline's remainder often is one).
      await expect(q.get(0.5)).rejects.toBeInstanceOf(QueueEmptyError);
      await expect(q.put(1, { timeot: 5 } as never)).rejects.toThrow(/Unknown option 'timeot'/);
      await q.put(7);
      expect(await q.get(1000)).toBe(7);
      q.close();
    });
  }

  it('Connection.poll(ms) and poll({ timeout }) wait; poll() answers at once; bad forms reject', async () => {
    const [a, b] = Pipe();
    expect(await b.poll()).toBe(false);
    expect(await b.poll(10)).toBe(false);
    const later = b.poll({ timeout: 5000 });
    a.send('x');
    expect(await later).toBe(true);
    expect(await b.recv()).toBe('x');
    await expect(b.poll(true as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(b.poll({ block: false } as never)).rejects.toBeInstanceOf(ValidationError);
    a.close();
    b.close();
  });

  it('Connection.poll(null) waits without limit, as Python poll(None) does; poll() still answers at once', async () => {
    const [a, b] = Pipe();
    const forever = b.poll(null);
    const forever2 = b.poll({ timeout: null });
    let settled = false;
    void forever.then(() => {
      settled = true;
    });
    expect(await b.poll()).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(settled).toBe(false);
    a.send('x');
    expect(await forever).toBe(true);
    expect(await forever2).toBe(true);
    expect(await b.recv()).toBe('x');
    a.close();
    b.close();
  });

  it("a negative timeout does not wait, as in Python's multiprocessing: Empty, Full, false at once", async () => {
    const q = new Queue<number>({ maxsize: 1 });
    await expect(q.get(-1)).rejects.toBeInstanceOf(QueueEmptyError);
    await expect(q.get({ timeout: -5 })).rejects.toBeInstanceOf(QueueEmptyError);
    q.putNowait(1);
    await expect(q.put(2, -1)).rejects.toBeInstanceOf(QueueFullError);
    await expect(q.put(2, { timeout: -5 })).rejects.toBeInstanceOf(QueueFullError);
    expect(await q.get(-1)).toBe(1);
    q.close();
    const manager = await Manager.start();
    try {
      const lock = manager.Lock();
      expect(await lock.acquire()).toBe(true);
      // Python: a held Lock's acquire(timeout=-5) returns False (on the wire -1 would mean no limit).
      expect(await lock.acquire({ timeout: -5 })).toBe(false);
      const ev = manager.Event();
      expect(await ev.wait(-1)).toBe(false);
    } finally {
      await manager.shutdown();
    }
  }, 30_000);

  it('wait(objects, ms) and wait(objects, { timeout })', async () => {
    const [a, b] = Pipe();
    expect(await wait([b], 10)).toEqual([]);
    expect(await wait([b], { timeout: 10 })).toEqual([]);
    // A negative timeout does not wait, as Python's (CPython's test_neg_timeout): [] at once.
    expect(await wait([b], -1)).toEqual([]);
    expect(await b.poll(-1)).toBe(false);
    a.send(1);
    expect(await wait([b], { timeout: -5 })).toEqual([b]);
    await expect(wait([b], Number.NaN)).rejects.toBeInstanceOf(ValidationError);
    a.close();
    b.close();
  });

  it("a manager lock's acquire({ block: false, timeout }) ignores the timeout, as Python's mp.Lock's does", {
    timeout: 10_000,
  }, async () => {
    const manager = await Manager.start();
    try {
      const locks = [
        manager.Lock(),
        manager.RLock(),
        manager.Semaphore(1),
        manager.BoundedSemaphore(1),
        manager.Condition(),
      ];
      for (const lock of locks) {
        // Free: taken at once; held: refused at once (a 60 s wait would outlast the test).
        expect(await lock.acquire({ block: false, timeout: 60_000 })).toBe(true);
        const again = await lock.acquire({ block: false, timeout: 60_000 });
        expect(again).toBe(lock.typeid === 'RLock' || lock.typeid === 'Condition');
        if (again) await lock.release();
        await lock.release();
        await expect(lock.acquire({ block: false, timeout: '5' } as never)).rejects.toBeInstanceOf(
          ValidationError,
        );
      }
    } finally {
      await manager.shutdown();
    }
  });
});
