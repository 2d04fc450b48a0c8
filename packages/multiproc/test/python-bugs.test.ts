// Scenarios of public CPython bug reports on multiprocessing's Pool (bugs.python.org "bpo-N",
// github.com/python/cpython "gh-N"), run against this library's Pool in both contexts. Each asserts
// the report's *fixed* behaviour, translated by the contract (camelCase, Promises, milliseconds); where
// Python still hangs (a dead worker, a failing initializer), the contract's answer is asserted instead.
// The queues, pipes, locks, managers and processes of such reports are in python-bugs-ipc.test.ts.
import { Pool, ProcessError, ValidationError, WorkerCrashedError } from '@multiproc/multiproc';
import { describe, expect, it } from 'vitest';
import { tasks as t } from './fixtures/python-bugs-tasks.mjs';
import { CONTEXTS, poolsEndedAfterEach } from './report-helpers.ts';

const pool = poolsEndedAfterEach();

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** The settled outcome of a promise: its value, or the error's name and message. */
const outcome = (p: PromiseLike<unknown>) =>
  Promise.resolve(p).then(
    (value) => ({ value }),
    (error: Error) => ({ error: error.name, message: error.message }),
  );

describe.each(CONTEXTS)('CPython Pool bug reports, %s context', (context) => {
  // bpo-22393 (also bpo-9205, bpo-38084): a worker that dies mid-map hung the pool forever.
  it('bpo-22393: a map whose item exits the worker rejects with WorkerCrashedError; the pool runs on', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 2, context });
    const crashed = await p
      .starmap(
        t.exitOn,
        range(6).map((i) => [i, 3] as [number, number]),
      )
      .catch((e: unknown) => e);
    expect(crashed).toBeInstanceOf(WorkerCrashedError);
    expect((crashed as WorkerCrashedError).exitCode).toBe(123);
    expect(await p.map(t.square, range(5))).toEqual([0, 1, 4, 9, 16]);
    p.close();
    await p.join();
  });

  // bpo-33997 (gh-78178): terminate() hung with tasks still queued.
  it('bpo-33997: terminate() with running and queued tasks resolves; every pending call rejects', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 2, context });
    await p.map(t.identity, [0, 1]); // the workers are up
    const calls = range(8).map((i) => outcome(p.apply(t.sleep, [2_000 + i])));
    await p.terminate();
    await p.terminate(); // a second terminate() is harmless
    for (const c of await Promise.all(calls)) expect(c).toMatchObject({ error: 'PoolClosedError' });
  });

  // bpo-43306 (gh-87472), bpo-19675: a failing initializer respawned workers forever, no call ended.
  it('bpo-43306: an initializer that throws rejects each call with its error, again and again, no loop', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 2, context, initializer: t.failingInit });
    for (let round = 0; round < 3; round += 1) {
      const results = await Promise.all(range(3).map((i) => outcome(p.apply(t.identity, [i]))));
      for (const r of results) expect(r).toEqual({ error: 'RangeError', message: 'initializer failed' });
    }
    await p.terminate();
  });

  // bpo-10332: map with maxtasksperchild=1 hung once the first workers retired.
  it('bpo-10332: with maxTasksPerChild 1, map, imapUnordered and 10 applyAsync calls all complete', {
    timeout: 60_000,
  }, async () => {
    const p = pool({ processes: 2, context, maxTasksPerChild: 1 });
    expect(await p.map(t.square, range(10), { chunksize: 1 })).toEqual(range(10).map((i) => i * i));
    const unordered: number[] = [];
    for await (const v of p.imapUnordered(t.square, range(8))) unordered.push(v as number);
    expect(unordered.sort((a, b) => a - b)).toEqual(range(8).map((i) => i * i));
    expect(await Promise.all(range(10).map((i) => p.applyAsync(t.identity, [i])))).toEqual(range(10));
  });

  // gh-115634 / gh-111498 (concurrent.futures): 1 < max_tasks_per_child < calls hung after the first recycle.
  it('gh-115634: one worker, maxTasksPerChild 2, ten calls: all resolve, no pid runs more than 2', {
    timeout: 60_000,
  }, async () => {
    const p = pool({ processes: 1, context, maxTasksPerChild: 2 });
    const pids = await Promise.all(range(10).map(() => p.apply(t.pid, [])));
    const perPid = new Map<number, number>();
    for (const pid of pids) perPid.set(pid, (perPid.get(pid) ?? 0) + 1);
    if (context === 'process') for (const n of perPid.values()) expect(n).toBeLessThanOrEqual(2);
  });

  // gh-93580: maxtasksperchild with a task that imports a module on first use hung map_async.
  it('gh-93580: maxTasksPerChild 1 and tasks that import a module when called: mapAsync completes', {
    timeout: 60_000,
  }, async () => {
    const p = pool({ processes: 4, context, maxTasksPerChild: 1 });
    expect(await p.mapAsync(t.importThenReturn, range(6))).toEqual(range(6).map((i) => `${i}:function`));
  });

  // gh-103061, bpo-35311: an exception that cannot be rebuilt on the parent's side hung the pool.
  it('gh-103061: an error with unsendable fields rejects with its name and message; the pool runs on', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 2, context });
    const error = (await p.map(t.raiseMyExc, [1]).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(Error);
    expect([error.name, error.message]).toEqual(['MyExc', '2']);
    const withCause = (await p.apply(t.raiseUncloneableCause, []).catch((e: unknown) => e)) as Error;
    expect([withCause.name, withCause.message]).toEqual(['Error', 'outer']);
    expect(await p.apply(t.identity, ['still here'])).toBe('still here');
  });

  // gh-83371 (bpo-39190): a callback that raised killed the result handler; get() and join() hung.
  it('gh-83371: a callback that throws rejects its AsyncResult with that error; join() still ends', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 2, context });
    const boom = new TypeError('callback raises');
    const r = p.applyAsync(t.identity, [1], {
      callback: () => {
        throw boom;
      },
    });
    await expect(r.get(20_000)).rejects.toBe(boom);
    expect(r.successful()).toBe(false);
    const m = p.mapAsync(t.square, [1, 2], {
      callback: () => {
        throw boom;
      },
    });
    await expect(m.get(20_000)).rejects.toBe(boom);
    const other = new RangeError('error callback raises');
    const e = p.applyAsync(t.raiseRange, [1], {
      errorCallback: () => {
        throw other;
      },
    });
    await expect(e.get(20_000)).rejects.toBe(other);
    expect(await p.apply(t.identity, [2])).toBe(2); // the pool's result handling lives on
    p.close();
    await p.join();
  });

  // bpo-6433, bpo-12157: map of an empty list hung, and so did join() after it.
  it('bpo-6433 / bpo-12157: map, starmap and mapAsync of [] give [] and call back; join() ends', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 2, context });
    expect(await p.map(t.square, [])).toEqual([]);
    expect(await p.starmap(t.square, [])).toEqual([]);
    let calledWith: unknown;
    const r = p.mapAsync(t.square, [], { chunksize: 4, callback: (v) => (calledWith = v) });
    expect(await r.get(10_000)).toEqual([]);
    expect(calledWith).toEqual([]);
    p.close();
    await p.join();
  });

  // python/cpython#17932 (the 3.7 change it documents): successful() before ready raises ValueError,
  // no longer AssertionError. Here: a ProcessError, and an answer once it settled.
  it('AsyncResult.successful() throws ProcessError while pending, answers once settled', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const r = p.applyAsync(t.sleep, [300]);
    expect(() => r.successful()).toThrow(ProcessError);
    expect(r.ready()).toBe(false);
    await r.wait(20_000);
    expect([r.ready(), r.successful()]).toEqual([true, true]);
  });

  // bpo-40110 (gh-84291), gh-64192, gh-101586: imap read its whole input before yielding anything.
  // With chunksize 1 (Python's default for imap) the read-ahead is `inflight` items; without one,
  // `inflight` chunks of adaptive size: bounded either way, and nothing is read after the break.
  it.each([
    [{ chunksize: 1, inflight: 2 }, 5 + 2 + 1],
    [{ inflight: 2 }, Number.POSITIVE_INFINITY],
  ])(
    'bpo-40110: imap over an endless generator reads ahead boundedly (%o) and stops on break',
    {
      timeout: 30_000,
    },
    async (options, bound) => {
      const p = pool({ processes: 2, context });
      let read = 0;
      function* naturals(): Generator<number> {
        for (let i = 0; ; i += 1) {
          read += 1;
          yield i;
        }
      }
      const seen: number[] = [];
      for await (const v of p.imap(t.square, naturals(), options)) {
        seen.push(v as number);
        if (seen.length === 5) break;
      }
      expect(seen).toEqual([0, 1, 4, 9, 16]);
      const readAtBreak = read;
      expect(readAtBreak).toBeLessThanOrEqual(bound);
      await p.apply(t.identity, [0]); // a round trip later, nothing more was read
      expect(read).toBe(readAtBreak);
    },
  );

  // A Pool inside a pool worker: Python refuses ("daemonic processes are not allowed to have
  // children"); the contract makes nesting work.
  it('a task that runs its own Pool returns its results', { timeout: 60_000 }, async () => {
    const p = pool({ processes: 1, context });
    expect(await p.apply(t.nestedPoolMap, [[1, 2, 3]])).toEqual([1, 4, 9]);
  });
});

describe('CPython Pool argument reports', () => {
  // bpo-39477 (gh-83658): maxtasksperchild=0 raised an endless traceback; bpo-12285: processes=0.
  it('bpo-39477 / bpo-12285: maxTasksPerChild 0 and processes 0 throw ValidationError at once', () => {
    for (const options of [{ maxTasksPerChild: 0 }, { processes: 0 }, { processes: -1 }]) {
      expect(() => new Pool(options)).toThrow(ValidationError);
    }
  });
});

// A worker thread cannot be killed from outside the pool: this one is the process context's.
describe('CPython Pool bug reports, process context only', () => {
  // gh-96062: a worker killed from outside while idle left Pool.apply_async().get() stuck forever.
  it('gh-96062: an idle worker killed with SIGKILL is replaced; the next apply runs', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context: 'process' });
    const pid = await p.apply(t.pid, []);
    process.kill(pid, 'SIGKILL');
    expect(await p.apply(t.identity, [1], { timeout: 20_000 })).toBe(1);
    expect(await p.apply(t.pid, [])).not.toBe(pid);
  });
});
