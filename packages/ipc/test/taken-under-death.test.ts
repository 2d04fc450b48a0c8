// What a worker had taken is its own, also when it is killed right after (CONTRACT "Delivery";
// the reference guide's "Queue guarantees under death"): an item whose get() resolved, or a value
// its recv() returned, in a worker killed at once afterwards is never handed to anyone else.
// Python: bytes a process read from the pipe are gone from it. Before the fix, a process copy's
// consumed-report left after the worker's next send, so the home read the death first and gave
// the item out again (3-5 of 10 kills).
import { JoinableQueue, Pipe, Queue, QueueEmptyError } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { core, killProcesses, startProcess } from './core.js';
import type { Context } from './helpers.js';

const { tasks } = await import(new URL('./fixtures/death-tasks.mjs', import.meta.url).href);

// Each kill races the report once; a few rounds make a regression show in one run.
const ROUNDS = 3;

afterEach(killProcesses);

describe.each(matrix(import.meta.url))('taken before a kill (%s)', (context) => {
  it('an item a killed worker took from a Queue is not handed out again', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const q = new Queue<number>();
      for (let i = 0; i < 5; i++) await q.put(i);
      const [flag, theirs] = Pipe<number>();
      const p = startProcess(context, tasks.takeAndHang, [q, theirs]);
      expect(await flag.recv()).toBe(0);
      p.kill(); // as Python's kill(): returns at once, no join before the drain
      const got: number[] = [];
      for (let i = 0; i < 4; i++) got.push(await q.get({ timeout: 10_000 }));
      expect(got).toEqual([1, 2, 3, 4]);
      await p.join();
      await expect(q.get({ timeout: 500 })).rejects.toBeInstanceOf(QueueEmptyError);
      q.close();
      flag.close();
    }
  });

  it('a JoinableQueue item a killed worker took stays unfinished: join() does not resolve', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const jq = new JoinableQueue<number>();
      for (let i = 0; i < 3; i++) await jq.put(i);
      const [flag, theirs] = Pipe<number>();
      const p = startProcess(context, tasks.takeAndHang, [jq, theirs]);
      expect(await flag.recv()).toBe(0);
      p.kill();
      for (const want of [1, 2]) {
        expect(await jq.get({ timeout: 10_000 })).toBe(want);
        jq.taskDone();
      }
      await p.join();
      // The killed taker never called taskDone() for item 0: join() waits (here, where the test
      // runner keeps the program alive; a program left with nothing to run gets EOFError).
      const joined = jq.join().then(
        () => 'joined',
        (err: Error) => err.name,
      );
      await expect(jq.get({ timeout: 500 })).rejects.toBeInstanceOf(QueueEmptyError);
      expect(await Promise.race([joined, Promise.resolve('waiting')])).toBe('waiting');
      jq.close();
      await joined;
      flag.close();
    }
  });

  it('a value a killed worker received from a shared pipe end is not received again', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const [a, b] = Pipe<number>();
      const [flag, theirs] = Pipe<number>();
      const p = startProcess(context, tasks.recvAndHang, [b, theirs]);
      for (let i = 0; i < 5; i++) a.send(i);
      expect(await flag.recv()).toBe(0);
      p.kill();
      await p.join();
      for (let i = 5; i < 10; i++) a.send(i);
      const got: number[] = [];
      for (let i = 0; i < 9; i++) got.push(await b.recv());
      expect(got).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(await b.poll(300)).toBe(false);
      for (const c of [a, b, flag]) c.close();
    }
  });
});

// Per-sender FIFO (CONTRACT "Delivery") after readers are stopped while they wait: an item the queue
// was about to hand to a worker being killed or terminated goes to the next taker instead, so it
// never comes back behind items put after it (before: `2,3,4,5,0,1`, every time, both contexts).
describe.each(matrix(import.meta.url))('order after stopped readers (%s)', (context) => {
  it.each(['kill', 'terminate'])(
    'items put right after %s() of workers waiting in get() come back in the order put',
    async (how) => {
      const q = new Queue<number>();
      const [flag, theirs] = Pipe<string>();
      const ps = [0, 1].map(() => startProcess(context, tasks.sayThenGet, [q, theirs]));
      for (const _ of ps) expect(await flag.recv()).toBe('waiting');
      // Their gets reach the queue's thread within a round trip; without them this test cannot fail.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const ended = ps.map((p) => (how === 'kill' ? p.kill() : p.terminate()));
      for (let i = 0; i < 6; i++) await q.put(i);
      const got: number[] = [];
      for (let i = 0; i < 6; i++) got.push(await q.get({ timeout: 10_000 }));
      expect(got).toEqual([0, 1, 2, 3, 4, 5]);
      await Promise.all(ended);
      await expect(q.get({ timeout: 300 })).rejects.toBeInstanceOf(QueueEmptyError);
    },
  );

  it('items put right after pool calls waiting in get() were aborted come back in the order put', async () => {
    const pool = new core.Pool({ processes: 2, context });
    try {
      const q = new Queue<number>();
      const [flag, theirs] = Pipe<string>();
      const aborts = [new AbortController(), new AbortController()];
      const calls = aborts.map((ac) =>
        pool.apply(tasks.sayThenGet, [q, theirs], { signal: ac.signal }).catch((err: Error) => err.name),
      );
      for (const _ of aborts) expect(await flag.recv()).toBe('waiting');
      await new Promise((resolve) => setTimeout(resolve, 300)); // as above: their gets reach the queue
      for (const ac of aborts) ac.abort(); // each call's worker is recycled
      expect(await Promise.all(calls)).toEqual(['AbortError', 'AbortError']);
      for (let i = 0; i < 6; i++) await q.put(i);
      const got: number[] = [];
      for (let i = 0; i < 6; i++) got.push(await q.get({ timeout: 10_000 }));
      expect(got).toEqual([0, 1, 2, 3, 4, 5]);
    } finally {
      await pool.terminate();
    }
  });
});
