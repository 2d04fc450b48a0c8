import {
  Barrier,
  BoundedSemaphore,
  Condition,
  Event,
  Lock,
  RLock,
  resolveTimeout,
  Semaphore,
  ValidationError,
} from '@multiproc/shared';
import { describe, expect, it } from 'vitest';

const FOREVER = Number.POSITIVE_INFINITY;

describe('resolveTimeout()', () => {
  it.each([
    [undefined, {}, { timeoutMs: FOREVER, block: true }],
    [null, {}, { timeoutMs: FOREVER, block: true }],
    [0, {}, { timeoutMs: 0, block: true }],
    [250, {}, { timeoutMs: 250, block: true }],
    [1.5, {}, { timeoutMs: 1.5, block: true }],
    // A fraction below 1 ms is a wait that short (a deadline's remainder often is one).
    [0.5, {}, { timeoutMs: 0.5, block: true }],
    [Number.MIN_VALUE, {}, { timeoutMs: Number.MIN_VALUE, block: true }],
    [{ timeout: 0.25 }, {}, { timeoutMs: 0.25, block: true }],
    [{ block: false, timeout: 0.5 }, { block: true }, { timeoutMs: 0, block: false }],
    [FOREVER, {}, { timeoutMs: FOREVER, block: true }],
    [{}, {}, { timeoutMs: FOREVER, block: true }],
    [{ timeout: 40 }, {}, { timeoutMs: 40, block: true }],
    [{ timeout: undefined }, {}, { timeoutMs: FOREVER, block: true }],
    [{ block: false }, { block: true }, { timeoutMs: 0, block: false }],
    [{ block: false, timeout: 500 }, { block: true }, { timeoutMs: 0, block: false }],
    [{ block: true, timeout: 500 }, { block: true }, { timeoutMs: 500, block: true }],
    [undefined, { defaultMs: 0 }, { timeoutMs: 0, block: true }],
    // null is Python's None: no limit, also where no argument answers at once (poll()).
    [null, { defaultMs: 0 }, { timeoutMs: FOREVER, block: true }],
    [{ timeout: null }, { defaultMs: 0 }, { timeoutMs: FOREVER, block: true }],
    [{ timeout: undefined }, { defaultMs: 0 }, { timeoutMs: 0, block: true }],
  ])('reads %j (%j) as %j', (arg, options, expected) => {
    expect(resolveTimeout(arg, 'm()', options)).toEqual(expected);
  });

  it.each([
    ['a negative number where refused', -1, { negativeIsZero: false }, /milliseconds >= 0/],
    ['NaN, saying that a negative number does not wait', Number.NaN, {}, /0 or less: do not wait/],
    ['a boolean block argument', true, { block: true }, /\{ block: false \}/],
    ['false where block is not accepted', false, {}, /pass 0/],
    ['a string', '100', {}, /accepts a number of milliseconds/],
    ['an array', [100], {}, /accepts/],
    ['an unknown option', { timeot: 100 }, {}, /Unknown option 'timeot'/],
    ['block where Python has none', { block: false }, {}, /Unknown option 'block'/],
    ['a non-boolean block', { block: 0 }, { block: true }, /block must be true or false/],
    ['a string timeout', { timeout: '5' }, {}, /accepts/],
    ['a negative timeout option where refused', { timeout: -5 }, { negativeIsZero: false }, />= 0/],
    [
      'a string timeout with block: false (checked, then ignored, as in Python)',
      { block: false, timeout: '5' },
      { block: true },
      /accepts/,
    ],
  ])('refuses %s with ValidationError naming the method and the forms', (_, arg, options, message) => {
    let caught: unknown;
    try {
      resolveTimeout(arg, 'Queue.get()', options);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).code).toBe('MP_VALIDATION');
    expect((caught as Error).message).toMatch(/Queue\.get\(\)/);
    expect((caught as Error).message).toMatch(message);
  });

  it("a negative timeout means do not wait, as everywhere in Python's multiprocessing", () => {
    for (const options of [{}, { negativeIsZero: true }, { block: true }]) {
      expect(resolveTimeout(-1, 'Queue.get()', options)).toEqual({ timeoutMs: 0, block: true });
      expect(resolveTimeout({ timeout: -5 }, 'Queue.get()', options)).toEqual({ timeoutMs: 0, block: true });
      expect(resolveTimeout(Number.NEGATIVE_INFINITY, 'Queue.get()', options)).toEqual({
        timeoutMs: 0,
        block: true,
      });
      expect(() => resolveTimeout(Number.NaN, 'Queue.get()', options)).toThrow(ValidationError);
    }
  });
});

describe('every waiting method of the primitives takes ms or { timeout }', () => {
  for (const [name, make] of [
    ['Lock', () => new Lock()],
    ['RLock', () => new RLock()],
    ['Semaphore', () => new Semaphore(1)],
    ['BoundedSemaphore', () => new BoundedSemaphore(1)],
  ] as const) {
    it(`${name}.acquire(ms), acquire({ timeout }), acquire({ block: false }) time out; acquire(false) throws`, async () => {
      const held = make();
      held.acquireSync();
      // Another owner must hold an RLock for this thread to wait: a worker is overkill here, so
      // only the non-recursive kinds are checked for a wait that ends in false.
      if (name !== 'RLock') {
        expect(await held.acquire(20)).toBe(false);
        expect(await held.acquire({ timeout: 20 })).toBe(false);
        expect(await held.acquire({ block: false })).toBe(false);
        expect(held.acquireSync(5)).toBe(false);
        expect(held.acquireSync({ block: false })).toBe(false);
        // Python: a held mp.Lock().acquire(timeout=-5) returns False at once.
        expect(await held.acquire(-1)).toBe(false);
        expect(held.acquireSync({ timeout: -5 })).toBe(false);
      }
      await expect(held.acquire(false as never)).rejects.toBeInstanceOf(ValidationError);
      expect(() => held.acquireSync(true as never)).toThrow(ValidationError);
      // Python's mp.Lock().acquire(False, 5) ignores the timeout: it answers at once.
      if (name !== 'RLock') {
        expect(await held.acquire({ block: false, timeout: 60_000 })).toBe(false);
        expect(held.acquireSync({ block: false, timeout: 0 })).toBe(false);
      }
      if (name !== 'RLock') {
        // A fraction of a millisecond is a (short) timeout, with or without block: false.
        expect(held.acquireSync({ block: false, timeout: 0.5 })).toBe(false);
        expect(held.acquireSync(0.5)).toBe(false);
        expect(await held.acquire(0.25)).toBe(false);
      }
      expect(() => held.acquireSync({ block: false, timeout: Number.NaN })).toThrow(ValidationError);
      held.release();
      // A bad argument is refused before the lock is taken: the free lock stays free.
      const free = make();
      await expect(free.acquire('x' as never)).rejects.toBeInstanceOf(ValidationError);
      expect(free.tryAcquire()).toBe(true);
      free.release();
    });
  }

  it('Event.wait, Condition.wait/waitFor and Barrier.wait take ms or { timeout }', async () => {
    const ev = new Event();
    expect(await ev.wait(10)).toBe(false);
    expect(await ev.wait({ timeout: 10 })).toBe(false);
    expect(ev.waitSync({ timeout: 5 })).toBe(false);
    // Fractions of a millisecond wait that long: a loop to a deadline passes its remainder.
    expect(await ev.wait(0.5)).toBe(false);
    expect(ev.waitSync(0.001)).toBe(false);
    const deadline = performance.now() + 3;
    for (let left = 3; left > 0; left = deadline - performance.now())
      expect(ev.waitSync(Math.min(left, 1.2))).toBe(false);
    await expect(ev.wait(true as never)).rejects.toBeInstanceOf(ValidationError);
    expect(() => ev.waitSync({ block: false } as never)).toThrow(ValidationError);

    const cond = new Condition();
    await cond.acquire();
    expect(await cond.wait({ timeout: 10 })).toBe(false);
    expect(await cond.waitFor(() => false, { timeout: 10 })).toBe(false);
    expect(cond.waitForSync(() => 0, 5)).toBe(0);
    expect(await cond.wait(0.25)).toBe(false);
    await expect(cond.wait(Number.NaN)).rejects.toBeInstanceOf(ValidationError);
    cond.release();

    await expect(new Barrier(2).wait({ timeout: 10 })).rejects.toMatchObject({ name: 'BrokenBarrierError' });
    await expect(new Barrier(2).wait('1' as never)).rejects.toBeInstanceOf(ValidationError);
  });

  it('a bad timeout is refused whatever the state: a set Event, a held RLock, a free Lock, a true predicate', async () => {
    const bad = ['1', true, { timeout: 'x' }, { timout: 5 }, Number.NaN, []] as never[];
    const ev = new Event();
    ev.set();
    const rlock = new RLock();
    rlock.acquireSync();
    const cond = new Condition();
    cond.acquireSync();
    for (const arg of bad) {
      await expect(ev.wait(arg)).rejects.toBeInstanceOf(ValidationError);
      expect(() => ev.waitSync(arg)).toThrow(ValidationError);
      await expect(rlock.acquire(arg)).rejects.toBeInstanceOf(ValidationError);
      expect(() => rlock.acquireSync(arg)).toThrow(ValidationError);
      await expect(new Lock().acquire(arg)).rejects.toBeInstanceOf(ValidationError);
      await expect(new Semaphore(1).acquire(arg)).rejects.toBeInstanceOf(ValidationError);
      await expect(cond.waitFor(() => true, arg)).rejects.toBeInstanceOf(ValidationError);
      expect(() => cond.waitForSync(() => true, arg)).toThrow(ValidationError);
      await expect(new Barrier(1).wait(arg)).rejects.toBeInstanceOf(ValidationError);
      expect(() => new Barrier(1).waitSync(arg)).toThrow(ValidationError);
    }
    cond.release();
    rlock.release();
  });

  it('a negative timeout does not wait, as in Python: Event and Condition give false, a Barrier breaks', async () => {
    const ev = new Event();
    expect(await ev.wait(-1)).toBe(false);
    expect(ev.waitSync({ timeout: -1 })).toBe(false);
    const cond = new Condition();
    cond.acquireSync();
    expect(await cond.wait(-1)).toBe(false);
    expect(cond.waitForSync(() => 0, -1)).toBe(0);
    cond.release();
    const bar = new Barrier(2);
    await expect(bar.wait(-1)).rejects.toMatchObject({ name: 'BrokenBarrierError' });
    expect(bar.broken).toBe(true);
    // A Barrier's default timeout too.
    expect(() => bar.waitSync()).toThrow(/broken/i);
    const negative = new Barrier(2, { timeout: -1 });
    expect(() => negative.waitSync()).toThrow(/broken/i);
  });

  it('new Barrier() reads its timeout option as wait() does: NaN is refused at construction', () => {
    expect(() => new Barrier(2, { timeout: Number.NaN })).toThrow(ValidationError);
    expect(new Barrier(2, { timeout: 0.5 }).parties).toBe(2);
    expect(new Barrier(2, { timeout: null }).parties).toBe(2);
    expect(new Barrier(2, { timeout: 2 ** 40 }).parties).toBe(2);
  });
});
