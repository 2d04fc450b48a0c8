// A pool worker's tasks that are passed a new queue each call and drop it without close() (as
// most code does; ipc closes a copy once it is collected, as Python closes one at its last
// reference). A pool worker allocates little and so never collected by itself: each call left its
// copy's socket open in the worker and in the queue's home, 1 to 3.5 file descriptors of the
// program per call (and a loan folder in /dev/shm each), until it ran out of them. Now a pool worker
// collects when it is idle after a batch that made connections or queues, and after a map chunk
// of numbers that ran on a thread's side lane (outside tinypool's batches) too.
import { readdirSync } from 'node:fs';
import { Pool } from '@multiproc/core';
import { Listener, Queue } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks as t } from './fixtures/dropped-copy-tasks.mjs';

const openFds = () => readdirSync('/proc/self/fd').length;
const CALLS = 60;

describe.skipIf(process.platform !== 'linux')('queues a pool task drops without close()', () => {
  it("do not leave the program's file descriptors open, call after call ('process')", async () => {
    await using pool = new Pool({ processes: 1, context: 'process' });
    const oneCall = async (i: number) => {
      const q = new Queue<number>();
      for (let j = 0; j < 100; j++) q.putNowait(j);
      expect(await pool.apply(t.takeSome, [q, 100])).toBe(4950);
      q.close();
      return i;
    };
    for (let i = 0; i < 5; i++) await oneCall(i); // the worker started, the broker bound
    const before = openFds();
    for (let i = 0; i < CALLS; i++) await oneCall(i);
    // Was 60 (one a call); now -1 once the worker's idle collection ran (a loaded machine may hold
    // it back: waited for, not timed): at most a few copies wait for the next collection.
    await expect.poll(() => openFds() - before, { timeout: 10_000 }).toBeLessThan(CALLS / 2);
  }, 120_000);

  it("do not leave sockets open after a map chunk run on a thread's side lane", async () => {
    const listener = new Listener();
    let accepted = 0;
    const accepting = (async () => {
      for (;;) {
        const conn = await listener.accept();
        // The worker's connection ends once its dropped copy is collected: this side closes then.
        accepted++;
        void conn
          .recv()
          .then(() => conn.recv())
          .catch(() => conn.close());
      }
    })().catch(() => {});
    process.env.MP_DROPPED_ADDRESS = listener.address as string; // the workers inherit it
    try {
      await using pool = new Pool({ processes: 1 });
      await pool.apply(t.warm, []); // its initializer done: numbers may now go on its side lane
      const before = openFds();
      const items = Array.from({ length: CALLS }, (_, i) => i);
      expect(await pool.map(t.dial, items, { chunksize: CALLS })).toEqual(items);
      // Both ends of each dropped connection are in this process (a thread pool): closed by the
      // worker's collection, then by the loop above.
      await expect.poll(() => accepted, { timeout: 5_000 }).toBe(CALLS);
      // Was +120 for good (two per call, until the worker's next batch through tinypool); now
      // about 0 once the worker's idle collection closed its ends and this side closed its own.
      await expect.poll(() => openFds() - before, { timeout: 5_000 }).toBeLessThan(CALLS / 2);
    } finally {
      delete process.env.MP_DROPPED_ADDRESS;
      listener.close();
      await accepting;
    }
  }, 60_000);
});
