// Consumers sharing a queue, lent items by its home (loan.ts): a consumer that holds lent items and
// does not yield holds nobody back, every item reaches exactly one consumer, each producer's items
// reach each consumer in order, and a consumer that ends with items lent to it leaves them to the
// others (CONTRACT "Delivery"). Real threads (their loans are a shared word) and processes (a file
// they rename, loan-file.ts, then records in a named pipe, loan-pipe.ts).
import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { JoinableQueue, Pipe, Queue } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { killProcesses, startProcess } from './core.js';

const { tasks } = await import(new URL('./fixtures/loan-tasks.mjs', import.meta.url).href);

afterEach(killProcesses);

// Whether this process (the queue's home) has a loan folder's pipe open, within `ms`.
async function pipeOpenHere(ms: number): Promise<boolean> {
  const pipe = new RegExp(`^/dev/shm/mp-${process.pid}-.*\\.loan/pipe$`);
  for (const until = performance.now() + ms; performance.now() < until; await sleep(10)) {
    for (const fd of readdirSync('/proc/self/fd')) {
      try {
        if (pipe.test(readlinkSync(`/proc/self/fd/${fd}`))) return true;
      } catch {} // closed meanwhile
    }
  }
  return false;
}

describe('items lent to a thread consumer', () => {
  it('a consumer blocked with lent items holds nobody back: the one that waits gets the next at once', async () => {
    const q = new Queue<string>();
    const [report, theirs] = Pipe<unknown>();
    const [go, gate] = Pipe();
    const stop = new SharedArrayBuffer(4);
    // The second consumer is there first (a loan needs another consumer about), idle.
    startProcess('thread', tasks.waitThenTakeN, [q, theirs, gate, 5]);
    expect(await report.recv()).toBe('ready');
    for (const v of ['A', 'B', 'C', 'D', 'E', 'F']) await q.put(v);
    const blocked = startProcess('thread', tasks.takeOneAndBlock, [q, theirs, stop]);
    theirs.close();
    expect(await report.recv()).toBe('A'); // its thread now blocks, holding what it was lent
    const t0 = performance.now();
    go.send('go');
    expect(await report.recv()).toEqual(['B', 'C', 'D', 'E', 'F']);
    expect(performance.now() - t0).toBeLessThan(5_000);
    expect(q.qsize()).toBe(0);
    Atomics.store(new Int32Array(stop), 0, 1);
    Atomics.notify(new Int32Array(stop), 0);
    await blocked.join();
  }, 30_000);

  it.each(['terminate', 'kill'] as const)(
    'what a consumer was lent and did not take goes to the others when it ends (%s)',
    async (how) => {
      const q = new Queue<number>();
      const [report, theirs] = Pipe<unknown>();
      const [go, gate] = Pipe();
      const stop = new SharedArrayBuffer(4);
      startProcess('thread', tasks.waitThenTakeN, [q, theirs, gate, 99]);
      expect(await report.recv()).toBe('ready');
      for (let i = 0; i < 100; i++) await q.put(i);
      const holder = startProcess('thread', tasks.takeOneAndBlock, [q, theirs, stop]);
      theirs.close();
      expect(await report.recv()).toBe(0);
      if (how === 'kill') holder.kill();
      else await holder.terminate();
      await holder.join();
      expect(q.qsize()).toBe(99);
      go.send('go');
      expect(await report.recv()).toEqual(Array.from({ length: 99 }, (_, i) => i + 1));
    },
    30_000,
  );

  it.each([
    ['3 thread consumers', ['thread', 'thread', 'thread']],
    ['3 process consumers', ['process', 'process', 'process']],
    ['2 thread consumers and a process', ['thread', 'thread', 'process']],
  ] as const)(
    '%s: every item once, each producer in order, join ends',
    async (_, contexts) => {
      const N = 3000;
      const q = new JoinableQueue<[number, number] | null>();
      const [report, theirs] = Pipe<[number, number][]>();
      const consumers = contexts.map((ctx) => startProcess(ctx, tasks.consume, [q, theirs]));
      theirs.close();
      const producers = [0, 1].map((id) => startProcess('thread', tasks.produce, [q, id, N]));
      for (const p of producers) await p.join();
      await q.join();
      for (let i = 0; i < contexts.length; i++) await q.put(null);
      const lists = [];
      for (let i = 0; i < contexts.length; i++) lists.push(await report.recv());
      const seen = new Set<string>();
      for (const got of lists) {
        const last = [-1, -1];
        for (const [id, i] of got) {
          expect(i).toBeGreaterThan(last[id]!); // per-sender FIFO at each consumer
          last[id] = i;
          seen.add(`${id}:${i}`);
        }
      }
      expect(lists.reduce((n, got) => n + got.length, 0)).toBe(2 * N); // none twice
      expect(seen.size).toBe(2 * N); // none lost
      expect(q.qsize()).toBe(0);
      for (const c of consumers) await c.join();
    },
    60_000,
  );
});

describe('items lent to a process consumer', () => {
  it('a consumer blocked with lent items holds nobody back: the one that waits gets the next at once', async () => {
    const q = new Queue<string>();
    const [report, theirs] = Pipe<unknown>();
    const [go, gate] = Pipe();
    startProcess('process', tasks.waitThenTakeN, [q, theirs, gate, 5]);
    expect(await report.recv()).toBe('ready');
    for (const v of ['A', 'B', 'C', 'D', 'E', 'F']) await q.put(v);
    // Blocked far longer than the bound below: its loan must come back without its answer.
    const blocked = startProcess('process', tasks.takeOneAndBlockFor, [q, theirs, 20_000]);
    theirs.close();
    expect(await report.recv()).toBe('A');
    const t0 = performance.now();
    go.send('go');
    expect(await report.recv()).toEqual(['B', 'C', 'D', 'E', 'F']);
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(q.qsize()).toBe(0);
    blocked.kill();
    await blocked.join();
  }, 30_000);

  it('once it claimed, its loans come through a pipe: while it blocks, a waiting consumer takes the oldest one by one, and it claims on after them', async () => {
    const q = new Queue<number>();
    const [report, theirs] = Pipe<unknown>();
    const [go, gate] = Pipe();
    const [goOn, holdGate] = Pipe();
    startProcess('process', tasks.waitThenTakeN, [q, theirs, gate, 50]);
    expect(await report.recv()).toBe('ready');
    for (let i = 0; i < 10; i++) await q.put(i);
    // Lent 1..9 (by rename) once it got 0; then 11..109 (through the pipe made meanwhile) once it got 10.
    startProcess('process', tasks.takeThroughPipe, [q, theirs, 10, holdGate, 3000, 49]);
    theirs.close();
    holdGate.close();
    expect(await report.recv()).toEqual(Array.from({ length: 10 }, (_, i) => i));
    for (let i = 10; i < 110; i++) await q.put(i);
    // The home makes the pipe in the background once the consumer claimed (a child process runs
    // `mkfifo`: seconds under load), and lends by rename until it has it open: wait for that, so
    // the next loan goes through it.
    if (process.platform === 'linux' && existsSync('/dev/shm') && existsSync('/usr/bin/mkfifo'))
      expect(await pipeOpenHere(20_000)).toBe(true);
    goOn.send('go');
    expect(await report.recv()).toBe(10);
    go.send('go'); // it blocks for 3 s: the other one's gets take its loan's oldest items back, one each
    const lists = [(await report.recv()) as number[], (await report.recv()) as number[]];
    const waiter = lists.find((l) => l.length === 50)!;
    const holder = lists.find((l) => l.length === 49)!;
    expect(waiter[0]).toBe(11);
    for (const l of lists) for (let i = 1; i < l.length; i++) expect(l[i]).toBeGreaterThan(l[i - 1]!);
    expect([...waiter, ...holder].sort((a, b) => a - b)).toEqual(
      Array.from({ length: 99 }, (_, i) => 11 + i),
    );
    expect(q.qsize()).toBe(0);
  }, 30_000);

  it('what a consumer was lent and did not take goes to the others when it is killed', async () => {
    const q = new Queue<number>();
    const [report, theirs] = Pipe<unknown>();
    const [go, gate] = Pipe();
    startProcess('process', tasks.waitThenTakeN, [q, theirs, gate, 99]);
    expect(await report.recv()).toBe('ready');
    for (let i = 0; i < 100; i++) await q.put(i);
    const holder = startProcess('process', tasks.takeOneAndBlockFor, [q, theirs, 20_000]);
    theirs.close();
    expect(await report.recv()).toBe(0);
    holder.kill();
    await holder.join();
    go.send('go');
    expect(await report.recv()).toEqual(Array.from({ length: 99 }, (_, i) => i + 1));
    expect(q.qsize()).toBe(0);
  }, 30_000);
});
