// A queue or pipe end passed in a pool's `initargs` (Python: `Pool(initializer=init,
// initargs=(q,))`, the initializer keeping `q` in a global for the tasks): each worker gets its
// own copy, replacement workers too (after a crash, after maxTasksPerChild), and the parent gets
// every item the tasks put. The pool keeps its own reservation of each from the constructor on,
// so the parent may close its handle at once (Python closes only the parent's end).
import { ClosedError, Process } from '@multiproc/core';
import { Pipe, Queue } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks as t } from './fixtures/init-ipc-tasks.mjs';
import { poolMaker } from './helpers.ts';

const makePool = poolMaker();
const closers: Array<{ close(): unknown }> = [];
afterEach(() => {
  for (const c of closers.splice(0)) c.close();
});

function queue<T>(): Queue<T> {
  const q = new Queue<T>();
  closers.push(q);
  return q;
}

/** Takes `n` items off `q`, each within a few seconds (a lost item fails the test, never hangs it). */
async function take<T>(q: Queue<T>, n: number): Promise<T[]> {
  const got: T[] = [];
  for (let i = 0; i < n; i++) got.push(await q.get({ timeout: 10_000 }));
  return got;
}

type Marker = { init: string };
const isMarker = (v: unknown): v is Marker => typeof v === 'object' && v !== null && 'init' in v;
const numbers = (items: unknown[]) =>
  (items.filter((v) => typeof v === 'number') as number[]).sort((a, b) => a - b);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe.each(matrix(import.meta.url))('a pool initializer given ipc objects (%s)', (context) => {
  it('workers sharing a queue from initargs put every item the parent then gets', {
    timeout: 60_000,
  }, async () => {
    const q = queue<number | Marker>();
    const pool = makePool({ processes: 2, context, initializer: t.keep, initargs: [q] });
    const n = 40;
    const workers: string[] = await pool.map(t.putStored, range(n), { chunksize: 1 });
    // One marker per worker (each of the two runs the initializer as it starts, tasks or not),
    // then every item; the workers that ran tasks are among them.
    const got = await take(q, n + 2);
    expect(numbers(got)).toEqual(range(n));
    const markers = got.filter(isMarker).map((m) => m.init);
    expect(new Set(markers).size).toBe(2);
    for (const worker of new Set(workers)) expect(markers).toContain(worker);
  });

  it('replacement workers (maxTasksPerChild, a crash) get a live copy of the queue', {
    timeout: 60_000,
  }, async () => {
    const q = queue<number | Marker>();
    const pool = makePool({ processes: 2, context, maxTasksPerChild: 1, initializer: t.keep, initargs: [q] });
    const n = 8;
    const workers: string[] = [];
    for (let i = 0; i < n; i++) workers.push(await pool.apply(t.putStored, [i]));
    const crash = await pool.apply(t.exit, [3]).catch((e: Error) => e);
    expect((crash as Error).name).toBe('WorkerCrashedError');
    workers.push(await pool.apply(t.putStored, [n]));
    expect(new Set(workers).size).toBe(n + 1); // each call ran in a worker of its own
    // Every item, and a marker from each worker that ran a call and from the crashed one. A spare
    // started to replace a retiring worker may put its marker before the last item arrives (they
    // come from different workers, in no set order): taking a fixed count once missed item 8 so.
    const got: unknown[] = [];
    while (numbers(got).length < n + 1 || got.filter(isMarker).length < n + 2) {
      got.push(await q.get({ timeout: 10_000 })); // a lost item fails here, never hangs
    }
    expect(numbers(got)).toEqual(range(n + 1));
  });

  it("a pipe's send end in initargs carries what every worker's tasks send", {
    timeout: 60_000,
  }, async () => {
    const [receive, send] = Pipe({ duplex: false });
    closers.push(receive, send);
    const pool = makePool({ processes: 2, context, initializer: t.keep, initargs: [send] });
    const n = 20;
    await pool.map(t.putStored, range(n), { chunksize: 1 });
    const got: number[] = [];
    for (let i = 0; i < n; i++) {
      expect(await receive.poll(10_000)).toBe(true);
      got.push((await receive.recv()) as number);
    }
    expect(got.sort((a, b) => a - b)).toEqual(range(n));
  });

  it("closing the parent's queue right after new Pool() leaves every worker's copy working, replacements too", {
    timeout: 60_000,
  }, async () => {
    const q = new Queue<number>();
    const pool = makePool({
      processes: 2,
      context,
      maxTasksPerChild: 1,
      initializer: t.keepQuiet,
      initargs: [q],
    });
    q.close(); // Python: closes only the parent's end
    const got: number[] = [];
    for (let i = 0; i < 4; i++) {
      await pool.apply(t.putStored, [i]);
      got.push(await pool.apply(t.getStored, [])); // another worker (maxTasksPerChild 1) takes it
    }
    expect(got).toEqual([0, 1, 2, 3]);
  });

  it("closing the parent's pipe send end after new Pool(): the tasks' sends arrive, EOF once the pool is joined", {
    timeout: 60_000,
  }, async () => {
    const [receive, send] = Pipe({ duplex: false });
    closers.push(receive);
    const pool = makePool({
      processes: 2,
      context,
      maxTasksPerChild: 1,
      initializer: t.keepQuiet,
      initargs: [send],
    });
    send.close();
    await Promise.all([pool.apply(t.putStored, [1]), pool.apply(t.putStored, [2])]);
    const got = [await receive.recv(), await receive.recv()];
    expect(got.sort()).toEqual([1, 2]);
    pool.close();
    await pool.join();
    await expect(receive.recv()).rejects.toMatchObject({ name: 'EOFError' });
  });

  it('a pool made in a worker from its copy of a queue, which it closes at once, still reaches the queue', {
    timeout: 60_000,
  }, async () => {
    const q = queue<number>();
    const p = new Process({ target: t.nested, args: [q, context] });
    p.start();
    const got = await take(q, 2);
    await p.join(10_000);
    expect(got.sort()).toEqual([1, 2]);
    expect(p.exitCode).toBe(0);
  });

  it('a queue closed before new Pool() throws ClosedError from the constructor, naming initargs[0]', () => {
    const q = new Queue<number>();
    q.close();
    let err: unknown;
    try {
      makePool({ processes: 1, context, initializer: t.keepQuiet, initargs: [q] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ClosedError);
    expect((err as Error).message).toContain('initargs[0]');
  });
});
