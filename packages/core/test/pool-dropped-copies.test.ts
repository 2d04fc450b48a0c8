// A pool worker's tasks that are passed a new queue each call and drop it without close() (as
// most code does; ipc closes a copy once it is collected, as Python closes one at its last
// reference). A pool worker allocates little and so never collected by itself: each call left its
// copy's socket open in the worker and in the queue's home, 1 to 3.5 file descriptors of the
// program per call (and a loan folder in /dev/shm each), until it ran out of them. Now a pool worker
// collects when it is idle after a batch that made connections or queues.
import { readdirSync } from 'node:fs';
import { Pool } from '@multiproc/core';
import { Queue } from '@multiproc/ipc';
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
    await new Promise((resolve) => setTimeout(resolve, 500)); // the worker's idle collection
    const grown = openFds() - before;
    // Was 60 (one a call); now -1: at most a few copies wait for the next collection.
    expect(grown).toBeLessThan(CALLS / 2);
  }, 120_000);
});
