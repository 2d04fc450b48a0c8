// The Pool's failure semantics (issue #12, cases 1, 2, 3, 7, 9 and 10), in both contexts: one test
// file per context (pool-failures-thread, pool-failures-process), so the two run side by side.
import { getEventListeners } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type Pool, TimeoutError, WorkerCrashedError } from '@multiproc/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Behaviour, expected, failureTasks as t } from './fixtures/failure-tasks.ts';
import { poolMaker } from './helpers.ts';
import { makeTrace, type Trace } from './trace.ts';

const ok: Behaviour = { kind: 'ok' };
/** Tests that start several workers (or replacements, one after another) get longer. */
const RESTARTS_MS = 60_000;
/** How many calls each worker ran, in the order the workers first appear. */
function counts(workers: string[]): number[] {
  const seen = new Map<string, number>();
  for (const w of workers) seen.set(w, (seen.get(w) ?? 0) + 1);
  return [...seen.values()];
}

/** Resolves once `n` workers of `pool` are up and each answered a call. */
async function warm(pool: Pool, n: number): Promise<void> {
  await Promise.all(Array.from({ length: n }, () => pool.apply(t.sleep, [50])));
}

/** Declares the failure tests of one context (call it at the top level of a test file). */
export function describePoolFailures(context: 'thread' | 'process'): void {
  const makePool = poolMaker();
  const traces: Trace[] = [];
  afterEach(async () => {
    for (const trace of traces.splice(0)) trace.remove();
  });
  const trace = (): Trace => {
    const tr = makeTrace();
    traces.push(tr);
    return tr;
  };

  describe(`Pool failures in ${context} context`, () => {
    it('case 1: only the running call dies; batched calls run elsewhere, once; finished ones keep results', async () => {
      const pool = makePool({ processes: 2, context });
      const tr = trace();
      // Warm the task up so its calls are batched by the hundred.
      await Promise.all(
        Array.from({ length: 400 }, (_, i) => pool.applyAsync(t.traced, [tr.file, 1000 + i, ok])),
      );
      const fatal = 100;
      const calls = Array.from({ length: 200 }, (_, id) =>
        pool.applyAsync(t.traced, [tr.file, id, id === fatal ? { kind: 'exit', code: 9 } : ok]),
      );
      const settled = await Promise.allSettled(calls);
      const rejected = settled.flatMap((r, id) => (r.status === 'rejected' ? [id] : []));
      expect(rejected).toEqual([fatal]);
      const error = (settled[fatal] as PromiseRejectedResult).reason;
      expect(error).toBeInstanceOf(WorkerCrashedError);
      expect(error.exitCode).toBe(9);
      settled.forEach((r, id) => {
        if (id !== fatal) expect(r).toEqual({ status: 'fulfilled', value: expected(id) });
      });
      const { starts, workers } = tr.read();
      for (let id = 0; id < 200; id++) expect(starts.get(id)).toBe(1);
      // The dead worker had finished calls of its batch: they kept their results (checked above).
      const dead = workers.get(fatal)![0];
      expect(
        [...workers].filter(([id, w]) => id < 200 && id !== fatal && w[0] === dead).length,
      ).toBeGreaterThan(0);
      expect(await pool.apply(t.quick, [])).toMatch(/:/);
    });

    // Case 2 in three tests, each of its own pool: their workers start one after another (a
    // replacement starts once the worker it replaces exited), 12 starts in all. In the process
    // context the three parts took 19-28 s of wall time alone (3 s of CPU) at a load of 19 on 2
    // cores, and in one test they passed 60 s in a full-tier run.
    it('case 2: maxTasksPerChild is a hard cap, one call being one task (two workers)', {
      timeout: RESTARTS_MS,
    }, async () => {
      const five = makePool({ processes: 2, context, maxTasksPerChild: 5 });
      const ids = await Promise.all(Array.from({ length: 20 }, () => five.applyAsync(t.quick, [])));
      expect(Math.max(...counts(ids))).toBeLessThanOrEqual(5);
    });

    it('case 2: maxTasksPerChild is a hard cap, one call being one task (one worker)', {
      timeout: RESTARTS_MS,
    }, async () => {
      const two = makePool({ processes: 1, context, maxTasksPerChild: 2 });
      const first = await two.apply(t.quick, []);
      const later = await Promise.all(Array.from({ length: 4 }, () => two.applyAsync(t.quick, [])));
      expect(counts([first, ...later])).toEqual([2, 2, 1]);
    });

    it('case 2: maxTasksPerChild is a hard cap, one map chunk being one task', {
      timeout: RESTARTS_MS,
    }, async () => {
      const chunks = makePool({ processes: 1, context, maxTasksPerChild: 2 });
      expect(counts(await chunks.map(t.worker, [1, 2, 3, 4], { chunksize: 1 }))).toEqual([2, 2]);
    });

    it('case 3: a failing initializer runs no task, rejects with its error, and cannot loop', {
      timeout: RESTARTS_MS,
    }, async () => {
      const pool = makePool({ processes: 1, context, initializer: t.failingInit, initargs: ['no db'] });
      let gone = 0;
      pool.on('workerDestroy', () => gone++);
      const tr = trace();
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, (_, id) => pool.apply(t.traced, [tr.file, id, ok])),
      );
      for (const r of results) {
        expect(r.status).toBe('rejected');
        const error = (r as PromiseRejectedResult).reason;
        expect(error).toBeInstanceOf(RangeError);
        expect(error.message).toBe('no db');
        expect(error.stack).toContain('failure-tasks');
        expect(error.cause.message).toBe('init cause');
      }
      expect(tr.read().starts.size).toBe(0);
      // The pool gave up on the calls waiting (no worker could initialise), not on later calls:
      // each one tries again, with a worker that runs the initializer and leaves.
      for (const id of [99, 100]) {
        const before = gone;
        await expect(pool.apply(t.traced, [tr.file, id, ok])).rejects.toThrow('no db');
        await vi.waitFor(() => expect(gone).toBeGreaterThan(before), { timeout: 10_000, interval: 20 });
      }
      expect(tr.read().starts.size).toBe(0);

      // An initializer that exits: once the calls have settled, the pool starts no worker while
      // idle (20 calls used to leave it starting and retiring workers forever, which kept the
      // program alive).
      const exiting = makePool({ processes: 2, context, initializer: t.exitingInit, initargs: [4] });
      let exitingCreated = 0;
      exiting.on('workerCreate', () => exitingCreated++);
      const crashed = await Promise.allSettled(Array.from({ length: 20 }, () => exiting.apply(t.quick, [])));
      for (const r of crashed) {
        expect((r as PromiseRejectedResult).reason).toBeInstanceOf(WorkerCrashedError);
        expect((r as PromiseRejectedResult).reason.exitCode).toBe(4);
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const settledCreated = exitingCreated;
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(exitingCreated).toBe(settledCreated);
      expect(exiting.stats().workers).toBeLessThanOrEqual(2);
    });

    // Two rounds of four, not three. The rounds are read from the calls' own start and end times
    // (each worker's clock): a wall-clock bound on the whole (once 2.8 s) measured the machine's
    // load as well, and 2 busy cores made it 3.1-3.3 s with every call where it belonged.
    it('case 7: 8 one-second tasks on 4 workers run in two rounds of four, never batched behind each other', {
      timeout: RESTARTS_MS,
    }, async () => {
      const pool = makePool({ processes: 4, context });
      await warm(pool, 4);
      const tr = trace();
      const ms = 1000;
      const sleep: Behaviour = { kind: 'sleep', ms };
      const done = await Promise.all(
        Array.from({ length: 8 }, (_, id) => pool.apply(t.traced, [tr.file, id, sleep])),
      );
      expect(done).toEqual(Array.from({ length: 8 }, (_, id) => expected(id)));
      const { workers, startedAt, endedAt } = tr.read();
      const ran = [...workers.values()].flat();
      expect(ran).toHaveLength(8);
      // Each of the 4 workers ran two calls: none got a third while another worker idled.
      expect(counts(ran)).toEqual([2, 2, 2, 2]);
      const byStart = [...startedAt.keys()].sort((a, b) => startedAt.get(a)! - startedAt.get(b)!);
      const [first, second] = [byStart.slice(0, 4), byStart.slice(4)];
      // The calls of a round ran together: each started before any of its round ended.
      for (const round of [first, second]) {
        const lastStart = Math.max(...round.map((id) => startedAt.get(id)!));
        expect(lastStart).toBeLessThan(Math.min(...round.map((id) => endedAt.get(id)!)));
      }
      // A worker's second call followed its first without a call's length of idling between them.
      for (const id of second) {
        const before = first.find((f) => workers.get(f)![0] === workers.get(id)![0])!;
        expect(before).toBeDefined();
        expect(startedAt.get(id)! - endedAt.get(before)!).toBeLessThan(ms);
      }
    });

    it('case 7: a quick call never waits behind a slow one while a worker is idle', async () => {
      const pool = makePool({ processes: 2, context });
      await warm(pool, 2);
      let slowDone = false;
      const slow = pool.apply(t.spin, [2000]).then((w) => {
        slowDone = true;
        return w;
      });
      const quick = await pool.apply(t.quick, []);
      expect(slowDone).toBe(false);
      expect(await slow).not.toBe(quick);
    });

    // A child process's main thread may be busy in a task, so only a thread's unstarted calls can
    // be taken from its batch (batches stay a few ms of work, so the wait is short there too).
    it.runIf(context === 'thread')(
      'case 7: a worker that goes idle takes over calls a busy one has not started',
      async () => {
        const pool = makePool({ processes: 2, context });
        const tr = trace();
        // Many quick calls first: the task is known to be fast, so its calls are batched.
        await Promise.all(
          Array.from({ length: 300 }, (_, i) => pool.applyAsync(t.traced, [tr.file, 1000 + i, ok])),
        );
        const busy = pool.apply(t.sleep, [300]);
        let slowDone = false;
        const slow = pool.apply(t.traced, [tr.file, 0, { kind: 'sleep', ms: 2000 }]).then(() => {
          slowDone = true;
        });
        const quick = Array.from({ length: 9 }, (_, i) => pool.apply(t.traced, [tr.file, i + 1, ok]));
        const slowWorker = () => tr.read().workers.get(0)?.[0];
        await Promise.all(quick);
        expect(slowDone).toBe(false);
        const { workers } = tr.read();
        expect(quick.length).toBe(9);
        for (let id = 1; id <= 9; id++) expect(workers.get(id)).toHaveLength(1);
        expect([1, 2, 3, 4, 5, 6, 7, 8, 9].some((id) => workers.get(id)![0] !== slowWorker())).toBe(true);
        await Promise.all([busy, slow]);
      },
    );

    it('case 7: timeout counts from submission, like get(timeout); a queued call that times out never runs', async () => {
      const pool = makePool({ processes: 1, context });
      await warm(pool, 1);
      const tr = trace();
      const busy = pool.apply(t.sleep, [600]);
      const queued = pool.apply(t.traced, [tr.file, 1, ok], { timeout: 200 });
      await expect(queued).rejects.toBeInstanceOf(TimeoutError);
      await busy;
      await pool.apply(t.quick, []);
      expect(tr.read().starts.size).toBe(0);
    });

    it(
      'case 9: a long-lived AbortSignal keeps no listener and no memory of settled calls',
      async () => {
        const pool = makePool({ processes: 2, context });
        const controller = new AbortController();
        const warnings: Error[] = [];
        const onWarning = (w: Error) => warnings.push(w);
        process.on('warning', onWarning);
        setFlagsFromString('--expose-gc');
        const gc = runInNewContext('gc') as () => void;
        // Each call's input, 10 MiB, made and dropped in a frame of its own (a test's own frame may
        // keep its last local alive past the loop): only what the pool keeps can hold it after.
        const inputs: WeakRef<Uint8Array[]>[] = [];
        const run = async (calls: number) => {
          for (let call = 0; call < calls; call++) {
            const buffers = Array.from({ length: 10 }, () => new Uint8Array(1 << 20));
            inputs.push(new WeakRef(buffers));
            const sizes = await pool.map(t.size, buffers, { signal: controller.signal, chunksize: 2 });
            expect(sizes).toEqual(buffers.map(() => 1 << 20));
            await pool.apply(t.quick, [], { signal: controller.signal, timeout: 10_000 });
          }
        };
        // A WeakRef made or read in a turn keeps its target until the turn ends: collect in a later
        // one. The count of array-buffer bytes can fall well after that (V8 frees them on a helper
        // thread, which a loaded machine starves): on a loaded machine two collections in a row
        // still counted one call's input in 1 run of 12, and 100 ms later none did. So collect every
        // 20 ms and keep the lowest count, until it is below `below` or `ms` have passed.
        const lowest = async (below: number, ms: number) => {
          let least = Number.POSITIVE_INFINITY;
          for (const until = performance.now() + ms; least >= below && performance.now() < until; ) {
            await new Promise((resolve) => setTimeout(resolve, 20));
            gc();
            least = Math.min(least, process.memoryUsage().arrayBuffers);
          }
          return least;
        };
        try {
          // Warm up (workers started, their first batches sent), then measure a window of calls:
          // what a loaded machine leaves in flight differs between runs, what the pool keeps does not.
          await run(3);
          const before = await lowest(0, 1000);
          await run(15);
          // What the pool kept would stay counted however long this waits.
          const after = await lowest(before + (10 << 20), 10_000);
          expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
          // No settled call's input is reachable, not even the first or last one a worker ran...
          expect(inputs.filter((input) => input.deref() !== undefined)).toHaveLength(0);
          // ...and the window's calls kept less memory than one call's input.
          expect(after - before).toBeLessThan(10 << 20);
          expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
        } finally {
          process.off('warning', onWarning);
        }
      },
      RESTARTS_MS,
    );

    it('case 10: a failed map names the failed item, and stops the chunks it had sent', async () => {
      const pool = makePool({ processes: 2, context });
      await warm(pool, 2);
      const tr = trace();
      const items = Array.from({ length: 24 }, (_, i) => i);
      const error = await pool
        .starmap(
          t.failOnItemTraced,
          // 250 ms items that block their worker without spinning: the stop must reach the other
          // worker before it starts 6 more, and spinning workers left the main thread too little CPU
          // for that on a loaded 2-core machine (n2224: 12 starts on Node 22 at load 24).
          items.map((i) => [tr.file, i, 5, 250] as [string, number, number, number]),
          { chunksize: 4 },
        )
        .then(
          () => undefined,
          (e: unknown) => e as Error & { taskIndex: number },
        );
      expect(error).toBeInstanceOf(RangeError);
      expect(error?.message).toBe('bad item 5');
      expect(error?.taskIndex).toBe(5);
      // The next call does not wait behind the rejected call's chunks: they stopped at their next item.
      await Promise.all([pool.apply(t.quick, []), pool.apply(t.quick, [])]);
      expect(tr.read().starts.size).toBeLessThan(12);
      // A crash names the item that was running: exactly for threads; for a child process, the item
      // it last reported (exact once items take more than a few ms), never one before its chunk.
      const crash = await pool
        .starmap(
          t.traced,
          items.map((i) => [tr.file, 100 + i, i === 10 ? { kind: 'exit', code: 3 } : ok] as const),
          { chunksize: 3 },
        )
        .then(
          () => undefined,
          (e: unknown) => e as WorkerCrashedError,
        );
      expect(crash).toBeInstanceOf(WorkerCrashedError);
      if (context === 'thread') expect(crash?.taskIndex).toBe(10);
      else expect([9, 10]).toContain(crash?.taskIndex);
    });
  });
}
