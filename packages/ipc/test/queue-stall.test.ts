// A queue's producer at home that loops without yielding (putNowait(), or put() not awaited), and
// its one consumer in another thread or process: the consumer's request for more (its demand,
// each time it used half its read-ahead window) waits in its port or the kernel until the
// producer yields. Before, every item put meanwhile waited at home and the consumer took nothing
// more until the loop ended; the home now reads that request when an item would wait for it, so
// items reach the consumer while the producer still loops, in order, each once.
//
// The loop is bounded by time, not by a count of puts: how fast the consumer takes items is the
// scheduler's (on a loaded machine its thread may not run for a few hundred ms, while 1M puts take
// 300 ms), and what must show is a consumer stuck for good. It puts as fast as it can for BURST
// puts, then one about every PACE_MS (the home still reads the consumer's requests as items wait,
// and memory stays bounded), never yielding either way, until the consumer took WANTED or
// DEADLINE_MS passed. Stuck for good, before: items the loop sent the consumer at once on its
// credit waited in this thread's batch for its link while every later item waited here, and the
// consumer, its get covered by them, asked for nothing more (2 items taken in 1M puts, then none in
// 20 s; about 1 run in 20 to 40 on a loaded machine, Node 24).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JoinableQueue, Queue, SimpleQueue } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { killProcesses, startProcess } from './core.js';
import type { Context } from './helpers.js';

const { tasks } = await import(new URL('./fixtures/budget-tasks.mjs', import.meta.url).href);

const dirs: string[] = [];
afterEach(() => {
  killProcesses();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

// The consumer must take this many while the producer loops (before: a handful).
const WANTED = 5_000;
const BURST = 1_000_000;
const PACE_MS = 0.02;
const DEADLINE_MS = 20_000;
const EVERY = 1024;

type AnyQueue = Queue<number | null> | SimpleQueue<number | null>;
const FORMS: [string, () => AnyQueue, 'nowait' | 'put'][] = [
  ['Queue, putNowait()', () => new Queue<number | null>(), 'nowait'],
  ['Queue, put() not awaited', () => new Queue<number | null>(), 'put'],
  ['JoinableQueue, putNowait()', () => new JoinableQueue<number | null>(), 'nowait'],
  ['SimpleQueue, put() not awaited', () => new SimpleQueue<number | null>(), 'put'],
];

// What the consumer took: its shared counter (a thread), or as it last wrote it in a file.
function taken(where: string | Int32Array, known: number): number {
  if (typeof where !== 'string') return Atomics.load(where, 0);
  const file = join(where, 'taken');
  return Math.max(known, existsSync(file) ? Number(readFileSync(file, 'utf8')) || 0 : 0);
}

// Busy for `ms` without yielding.
function spin(ms: number): void {
  for (const end = performance.now() + ms; performance.now() < end; );
}

describe.each(matrix(import.meta.url))('a queue consumed in a %s', (context) => {
  it.each(FORMS)(
    '%s in a loop that never yields: items reach it',
    { timeout: 60_000 },
    async (_, make, form) => {
      const q = make();
      const out = new Queue<unknown>();
      const where =
        context === 'thread'
          ? new Int32Array(new SharedArrayBuffer(4))
          : mkdtempSync(join(tmpdir(), 'mp-qstall-'));
      if (typeof where === 'string') dirs.push(where);
      const joinable = q instanceof JoinableQueue;
      const p = startProcess(context, tasks.consumer, [q, out, where, EVERY, joinable]);
      expect(await out.get()).toBe('ready');
      let n = 0;
      let took = 0;
      const t0 = performance.now();
      for (let late = false; took < WANTED && !late; n++) {
        if (n >= BURST) spin(PACE_MS);
        if (form === 'nowait') (q as Queue<number | null>).putNowait(n);
        else void q.put(n);
        if (n % 256 !== 255) continue;
        took = taken(where, took);
        late = performance.now() - t0 > DEADLINE_MS;
      }
      expect(took).toBeGreaterThanOrEqual(WANTED);
      await q.put(null);
      expect(await out.get()).toEqual([(n * (n - 1)) / 2, n, true]);
      if (joinable) await (q as JoinableQueue<number | null>).join();
      await p.join();
      expect(p.exitCode).toBe(0);
    },
  );
});
