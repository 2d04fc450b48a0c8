import { Event } from '@multiproc/shared';
import { describe, expect, it } from 'vitest';
import { nextMessage, startWorker } from './helpers.ts';

describe('Event', () => {
  it('sets, clears, and times out', async () => {
    const ev = new Event();
    expect(ev.isSet()).toBe(false);
    expect(await ev.wait(5)).toBe(false);
    expect(ev.waitSync(5)).toBe(false);
    ev.set();
    expect(await ev.wait()).toBe(true);
    expect(ev.waitSync(0)).toBe(true);
    ev.clear();
    expect(ev.isSet()).toBe(false);
  });

  it('wakes waiters in other threads, sync and async', async () => {
    const ev = new Event();
    const ready = new Event();
    const a = startWorker('waiter', { kind: 'event', event: ev, ready, timeout: 10_000 });
    const b = startWorker('waiter', { kind: 'eventAsync', event: ev, timeout: 10_000 });
    await ready.wait();
    ev.set();
    expect(await nextMessage(a)).toEqual({ ok: true });
    expect(await nextMessage(b)).toEqual({ ok: true });
  });

  it('a worker sets it while the main thread waits without blocking its event loop', async () => {
    const ev = new Event();
    const ready = new Event();
    let ticks = 0;
    const timer = setInterval(() => {
      if (++ticks === 3) ready.set();
    }, 1);
    // The worker waits for `ready` (set by our timer), then reports; we set `ev` in answer.
    const w = startWorker('waiter', { kind: 'event', event: ready, timeout: 10_000 });
    const answered = nextMessage(w).then(() => ev.set());
    try {
      expect(await ev.wait(10_000)).toBe(true);
    } finally {
      clearInterval(timer);
    }
    await answered;
    expect(ticks).toBeGreaterThanOrEqual(3);
  });
});
