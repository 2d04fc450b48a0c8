// Public bug reports of Node's worker pools (jest-worker, piscina, tinypool, workerpool, bree,
// vitest's pools) and of Python's pools and their relatives (multiprocessing, concurrent.futures,
// billiard/celery, loky, pebble) that the earlier report files do not cover. Each case names its
// report, says in a line what went wrong there, and asserts what the contract (or, where it is
// silent, Python's fixed behaviour) says must happen instead, against real threads and child
// processes. Like the other report files it runs in the full tier (`MULTIPROC_TESTS=full`, both
// contexts; see vitest.config.ts).
//
// Reports covered here:
// - jestjs/jest#8068: a worker that ran out of memory hung the run.
// - ankaboot-source/leadminer#476, johnsoncodehk/tsslint#81: a worker's ERR_WORKER_OUT_OF_MEMORY
//   became an unhandled 'error' event that crashed the main program.
// - piscinajs/piscina#492, epam/ai-dial-rag#11: a task past its memory limit must fail alone; the
//   pool must stay usable.
// - agronholm/apscheduler#362: a pool worker killed from outside left the pool broken for good.
// - jestjs/jest#13976: several workers killed from outside at once hung the run.
// - jestjs/jest#13183: a worker sent SIGTERM mid-task left its task pending forever.
// - jestjs/jest#11819, jestjs/jest#179, celery/celery#8952: a worker that segfaulted was never
//   noticed; the error must say it was the signal (exit code null).
// - celery/billiard#408: a worker lost to SIGKILL was swallowed instead of failing the call.
// - TkTech/chancy#94: an abrupt worker death or an unsendable result broke the pool permanently.
// - noxdafox/pebble#70: after a worker was killed, the pool could not be closed.
// - celery/billiard#67, celery/celery#3085: with max tasks per child, workers that retired
//   normally were reported as lost ("exitcode 155").
// - celery/celery#496: with max tasks per child 10, a worker sometimes was not restarted; hang.
// - tinylibs/tinypool#23: with per-task workers, the pool ran fewer tasks at once than it could.
// - tinylibs/tinypool#61: a recycled worker was handed another task.
// - tinylibs/tinypool#60: per-task workers left the pool below its minimum size.
// - josdejong/workerpool#32: a task's timeout only rejected the promise; the task ran on.
// - breejs/bree#15: a timeout armed for a call that had already finished fired later anyway.
// - piscinajs/piscina#1143: own properties of a native Error thrown in a worker were lost.
// - josdejong/workerpool#516: an error with unsendable fields (axios) arrived as an empty object.
// - piscinajs/piscina#796: with maxQueue, a producer waiting for room never got it; hang.
// - piscinajs/piscina#868: with maxQueue, "the queue is full" was reported too late.
// - python/cpython#92001: waiting on a cancelled future hung.
// - python/cpython#136655: futures dropped by a shutdown never told their waiters.
// - python/cpython#132969: shutting down after a worker died abnormally raised or hung.
// - Kludex/uvicorn#668: join() without close() hung.
// - noxdafox/pebble#50: join() of a closed pool that had not run anything hung.
// - dnsviz/dnsviz#46: with more workers than tasks, close() and join() hung.
// - joblib/loky#6: a callback that threw broke the pool's bookkeeping.
// - vitest-dev/vitest#3357: a worker's process 'exit' listeners never ran.
// - josdejong/workerpool#519: workers that could not start (the working folder was removed) failed
//   calls in a way not told apart from the task's own errors, again and again.
// - vitest-dev/vitest#2615, vitest-dev/vitest#72: process.exit() in a task ended the whole
//   program or was not reported with its code.
// - tinylibs/tinypool#54: terminating a worker that was busy never resolved.
// - josdejong/workerpool#431: a crashed worker stayed counted as running a task.
// - cdrx/faktory_worker_python#42: one worker's abrupt death failed every job sent after it.
// - geotiffjs/geotiff.js#410: pools made and closed one after another left workers behind.
// - sybrenjansen/mpire#98: of several calls with a task timeout, only some timed out.
// - celery/billiard#412: a timeout given to map() did not work.
// - kgdunn/process-improve#239: a timeout did not stop the runaway worker; busy workers piled up.
// - poolifier/poolifier#70: an idle timer stopped a worker that was still running a long task.
// - tinylibs/tinypool#56: a worker past its memory limit failed the pool instead of being replaced.
// - python/cpython#142837: empty() said true while items were still in the queue.
// - python/cpython#140331: a consumer started after the producer ended must still get its items.
// - pipecat-ai/pipecat#2219: task_done() called too many times.
// - python/cpython#74912: notify(n) with fewer than n waiters woke a waiter that came later.
// - joblib/loky#74: notify() woke the wrong number of waiters.
// - RustPython/RustPython#8739: notify_all() did not wake thread and process waiters alike.
// - python/cpython#116400: two queues drained by two sets of processes hung when joined in one order.
// - noxdafox/pebble#140, Red-Hat-AI-Innovation-Team/training_hub#133, breejs/bree#105: after
//   terminate()/kill() and join(), a process still looked alive or had the wrong exit code.
// - birdnet-team/birdnet#73: a process killed while holding a Lock made the others wait forever.
import {
  activeChildren,
  Condition,
  Event,
  JoinableQueue,
  Lock,
  PoolClosedError,
  Process,
  ProcessError,
  Queue,
  QueueFullError,
  Semaphore,
  SerializationError,
  TimeoutError,
  ValidationError,
  WorkerCrashedError,
} from '@multiproc/multiproc';
import { describe, expect, it } from 'vitest';
import { conds as c, queues as qs, tasks as t } from './fixtures/bugs-54-tasks.mjs';
import {
  alive,
  eventually,
  lines,
  range,
  readWhenWritten,
  rejection,
  reportSuite,
  runProgram,
  sleep,
  within,
} from './report-helpers.ts';

const { CONTEXTS, pool, scratchFile } = reportSuite(import.meta.url, 'bugs-54-');

/** The text a task wrote to `file`, once there is some; fails after `ms` milliseconds. */
const textIn = (file: string, ms?: number): Promise<string> =>
  readWhenWritten(file, (text) => (text === '' ? undefined : text), 'nothing', ms);

describe.each(CONTEXTS)('bug reports (54), pools, %s context', (context) => {
  it('jest#8068: a worker that runs out of memory fails its call with WorkerCrashedError; the next call resolves', {
    timeout: 60_000,
  }, async () => {
    const p = pool({ processes: 1, context, resourceLimits: { maxOldGenerationSizeMb: 32 } });
    expect(await within(rejection(p.apply(t.eatMemory, [])), 45_000)).toBeInstanceOf(WorkerCrashedError);
    expect(await within(p.apply(t.add, [2, 3]), 15_000)).toBe(5);
  });

  it('leadminer#476: a worker out of memory is no uncaught error of the main program', {
    timeout: 60_000,
  }, async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown) => uncaught.push(err);
    process.on('uncaughtException', onUncaught);
    try {
      const p = pool({ processes: 1, context, resourceLimits: { maxOldGenerationSizeMb: 32 } });
      expect(await within(rejection(p.apply(t.eatMemory, [])), 45_000)).toBeInstanceOf(WorkerCrashedError);
      await sleep(200);
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });

  it('piscina#492 / ai-dial-rag#11: one task past the memory limit fails alone; the call beside it resolves', {
    timeout: 60_000,
  }, async () => {
    const p = pool({ processes: 2, context, resourceLimits: { maxOldGenerationSizeMb: 32 } });
    await p.map(t.identity, [1, 2], { chunksize: 1 }); // both workers up
    const beside = p.apply(t.sleep, [1500]);
    expect(await within(rejection(p.apply(t.eatMemory, [])), 45_000)).toBeInstanceOf(WorkerCrashedError);
    expect(await within(beside, 15_000)).toBe(1500);
    expect(await within(p.map(t.identity, [1, 2, 3]), 15_000)).toEqual([1, 2, 3]);
  });

  it('chancy#94: a worker that exits and a result that cannot be sent back leave the pool usable', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    expect(await rejection(p.apply(t.exitNow, [3]))).toBeInstanceOf(WorkerCrashedError);
    const unsendable = await rejection(p.apply(t.unsendableResult, []));
    expect(unsendable).toBeInstanceOf(SerializationError);
    const results = await within(Promise.all(range(4).map((i) => p.apply(t.add, [i, 10]))), 15_000);
    expect(results).toEqual([10, 11, 12, 13]);
  });

  it('billiard#67: maxTasksPerChild 1 and 20 calls: every call resolves, none reported as a lost worker', {
    timeout: 60_000,
  }, async () => {
    const p = pool({ processes: 2, context, maxTasksPerChild: 1 });
    const results = await within(Promise.all(range(20).map((i) => p.apply(t.add, [i, 1]))), 50_000);
    expect(results).toEqual(range(20).map((i) => i + 1));
    expect(p.stats().failed).toBe(0);
  });

  it('celery#3085: maxTasksPerChild 2 and 30 calls: all resolve, and at least 15 workers ran them', {
    timeout: 60_000,
  }, async () => {
    const p = pool({ processes: 2, context, maxTasksPerChild: 2 });
    const where = await within(Promise.all(range(30).map(() => p.apply(t.where, []))), 50_000);
    expect(where).toHaveLength(30);
    const counts = new Map<string, number>();
    for (const w of where as string[]) counts.set(w, (counts.get(w) ?? 0) + 1);
    expect(counts.size).toBeGreaterThanOrEqual(15);
    for (const n of counts.values()) expect(n).toBeLessThanOrEqual(2);
  });

  it('celery#496: maxTasksPerChild 10 and 60 calls on 3 workers: each retired worker is replaced, all resolve', {
    timeout: 60_000,
  }, async () => {
    const p = pool({ processes: 3, context, maxTasksPerChild: 10 });
    const results = await within(Promise.all(range(60).map((i) => p.apply(t.add, [i, i]))), 50_000);
    expect(results).toEqual(range(60).map((i) => 2 * i));
    expect(p.stats().failed).toBe(0);
  });

  it('tinypool#23: with maxTasksPerChild 1 and 2 processes, two pairs of tasks each still run side by side', {
    timeout: 60_000,
  }, async () => {
    const p = pool({ processes: 2, context, maxTasksPerChild: 1 });
    for (let round = 0; round < 2; round += 1) {
      const [a, b] = [scratchFile(), scratchFile()];
      const met = await within(
        Promise.all([p.apply(t.rendezvous, [a, b, 20_000]), p.apply(t.rendezvous, [b, a, 20_000])]),
        30_000,
      );
      expect(met).toEqual([true, true]);
    }
  });

  it('tinypool#61: with maxTasksPerChild 1, six calls run in six different workers', {
    timeout: 60_000,
  }, async () => {
    const p = pool({ processes: 2, context, maxTasksPerChild: 1 });
    const where = await within(Promise.all(range(6).map(() => p.apply(t.where, []))), 50_000);
    expect(new Set(where as string[]).size).toBe(6);
  });

  it('tinypool#60: minProcesses 2 with maxTasksPerChild 1: the pool is back to 2 workers after its tasks', {
    timeout: 60_000,
  }, async () => {
    const p = pool({ processes: 3, minProcesses: 2, context, maxTasksPerChild: 1 });
    await within(Promise.all(range(5).map((i) => p.apply(t.add, [i, 1]))), 40_000);
    expect(await eventually(() => p.stats().workers >= 2, 15_000)).toBe(true);
    expect(await within(p.apply(t.add, [1, 1]), 15_000)).toBe(2);
  });

  it('workerpool#32: a timeout stops the running task; its worker is not reused', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const file = scratchFile();
    const before = await p.apply(t.where, []);
    expect(await rejection(p.apply(t.whereThenSpin, [file], { timeout: 1000 }))).toBeInstanceOf(TimeoutError);
    expect(await textIn(file)).toBe(before);
    const after = await within(p.apply(t.where, []), 15_000);
    expect(after).not.toBe(before);
    if (context === 'process')
      expect(await eventually(() => !alive(Number(before.split(':')[0])))).toBe(true);
  });

  it('bree#15: a call that ends before its timeout keeps its worker; nothing fires when the timeout would have', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const first = await p.apply(t.where, [], { timeout: 400 });
    await sleep(700);
    expect(await p.apply(t.where, [])).toBe(first);
    expect(p.stats().failed).toBe(0);
  });

  it("piscina#1143: a native Error's own properties come back with it", {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const plain = (await rejection(p.apply(t.throwWithProps, []))) as Error & {
      foo?: string;
      status?: number;
    };
    expect(plain.message).toBe('ERROR');
    expect(plain.foo).toBe('bar');
    expect(plain.status).toBe(504);
    const typed = (await rejection(p.apply(t.throwTypeErrorWithCode, []))) as TypeError & {
      code?: string;
      extra?: number;
    };
    expect(typed).toBeInstanceOf(TypeError);
    expect([typed.message, typed.code, typed.extra]).toEqual(['boom', 'EXX', 42]);
  });

  it('workerpool#516: an error with unsendable fields (as axios throws) keeps its name, message and sendable fields', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const err = (await rejection(p.apply(t.throwAxiosLike, []))) as Error & { code?: string };
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('AxiosError');
    expect(err.message).toBe('timeout of 1000ms exceeded');
    expect(err.code).toBe('ETIMEDOUT');
    expect(err.stack).toMatch(/throwAxiosLike|bugs-54-tasks/);
    // The part holding a function stands in as a SerializationError naming it; the field's sendable
    // parts are kept; nothing is `{}`.
    const config = (err as unknown as { config: { url: string; transform: unknown } }).config;
    expect(config.url).toBe('http://example.invalid/');
    expect(config.transform).toBeInstanceOf(SerializationError);
    expect((config.transform as SerializationError).path).toContain('config.transform');
    expect(await p.apply(t.add, [1, 2])).toBe(3);
  });

  it('piscina#796: maxQueue 2 and twelve apply calls made at once: all resolve in order, none waits forever', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context, maxQueue: 2 });
    const results = await within(Promise.all(range(12).map((i) => p.apply(t.add, [i, 100]))), 25_000);
    expect(results).toEqual(range(12).map((i) => i + 100));
  });

  it('piscina#868: maxQueue 1, one running and one queued: the next applyAsync throws QueueFullError at once', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context, maxQueue: 1 });
    await p.apply(t.identity, [0]); // the worker is up and idle
    const running = p.applyAsync(t.sleep, [800]);
    await eventually(() => p.stats().busy === 1);
    const queued = p.applyAsync(t.sleep, [10]);
    expect(() => p.applyAsync(t.sleep, [10])).toThrow(QueueFullError);
    expect(await within(Promise.all([running.get(), queued.get()]), 15_000)).toEqual([800, 10]);
  });

  it('cpython#92001: waiting on a call aborted while queued returns at once; ready() and successful() say so', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const running = p.applyAsync(t.sleep, [1500]);
    const controller = new AbortController();
    const queued = p.applyAsync(t.sleep, [10], { signal: controller.signal });
    controller.abort();
    expect(await within(queued.wait(10_000), 2000)).not.toBe('still waiting');
    expect(queued.ready()).toBe(true);
    expect(queued.successful()).toBe(false);
    expect((await rejection(queued.get())).name).toBe('AbortError');
    expect(await running.get()).toBe(1500);
  });

  it('cpython#136655: terminate() after one call failed: every queued AsyncResult is ready and its waiter returns', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 2, context });
    const results = [
      p.applyAsync(t.fail, ['Not gonna do it']),
      ...range(8).map(() => p.applyAsync(t.sleep, [3000])),
    ];
    expect((await rejection(results[0]!.get())).message).toBe('Not gonna do it');
    await p.terminate();
    const waited = await within(Promise.all(results.map((r) => r.wait())), 5000);
    expect(waited).not.toBe('still waiting');
    for (const r of results) {
      expect(r.ready()).toBe(true);
      expect(r.successful()).toBe(false);
    }
    expect(await rejection(results[5]!.get())).toBeInstanceOf(PoolClosedError);
  });

  it('cpython#132969: after a worker died abnormally, close() and join() end, then terminate() is harmless', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 2, context });
    expect(await rejection(p.apply(t.exitNow, [9]))).toBeInstanceOf(WorkerCrashedError);
    p.close();
    expect(await within(p.join(), 15_000)).toBeUndefined();
    expect(await within(p.terminate(), 5000)).toBeUndefined();
  });

  it('uvicorn#668: join() before close() rejects at once instead of waiting forever', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    await p.apply(t.identity, [1]);
    expect(await within(rejection(p.join()), 2000)).toBeInstanceOf(ProcessError);
    p.close();
    await p.join();
  });

  it('pebble#50: a pool that never ran a task: close() then join() ends', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 2, context });
    p.close();
    expect(await within(p.join(), 15_000)).toBeUndefined();
  });

  it('dnsviz#46: four workers and one task: close() then join() ends with the result delivered', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 4, context });
    const r = p.applyAsync(t.add, [20, 22]);
    p.close();
    expect(await within(p.join(), 20_000)).toBeUndefined();
    expect(await r.get(0)).toBe(42);
  });

  it('loky#6: a callback that throws does not wedge the pool: later calls resolve and join() ends', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const seen: unknown[] = [];
    const onUncaught = (err: unknown) => seen.push(err);
    process.on('uncaughtException', onUncaught);
    try {
      const r = p.applyAsync(t.add, [1, 1], {
        callback: () => {
          throw new Error('raised in the callback');
        },
      });
      await r.wait(10_000);
      expect(r.ready()).toBe(true);
      // As Python settled it (gh-83371): the callback's error is the call's outcome, not a lost thread.
      expect((await rejection(r.get())).message).toBe('raised in the callback');
      expect(await within(p.apply(t.add, [2, 2]), 10_000)).toBe(4);
      p.close();
      expect(await within(p.join(), 15_000)).toBeUndefined();
      expect(seen).toEqual([]);
    } finally {
      await sleep(50);
      process.off('uncaughtException', onUncaught);
    }
  });

  it("vitest#3357: a worker's process 'exit' listeners run when the pool is closed and joined", {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const file = scratchFile();
    expect(await p.apply(t.onExitWrites, [file])).toBe('registered');
    p.close();
    await p.join();
    expect(await eventually(() => lines(file).length === 1, 5000)).toBe(true);
  });

  it('vitest#72: process.exit(7) in a task is reported with its code; the pool runs on', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const err = (await rejection(p.apply(t.exitNow, [7]))) as WorkerCrashedError;
    expect(err).toBeInstanceOf(WorkerCrashedError);
    expect(err.exitCode).toBe(7);
    expect(err.signal).toBeNull();
    expect(await p.apply(t.add, [3, 4])).toBe(7);
  });

  it('tinypool#54: terminate() resolves while a worker spins in a synchronous loop', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const file = scratchFile();
    const spinning = p.apply(t.whereThenSpin, [file]);
    await textIn(file);
    expect(await within(p.terminate(), 10_000)).toBeUndefined();
    expect(await rejection(spinning)).toBeInstanceOf(PoolClosedError);
  });

  it('workerpool#431: after a worker crashes mid-task, stats() counts no task running and one failed', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    expect(await rejection(p.apply(t.exitNow, [1]))).toBeInstanceOf(WorkerCrashedError);
    expect(await eventually(() => p.stats().busy === 0)).toBe(true);
    expect(p.stats().failed).toBe(1);
    expect(await p.apply(t.identity, ['ok'])).toBe('ok');
  });

  it('faktory_worker_python#42: calls queued behind a call whose worker died all run; none fails as a broken pool', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const crashed = p.apply(t.exitNow, [1]);
    const queued = range(5).map((i) => p.apply(t.add, [i, 1]));
    expect(await rejection(crashed)).toBeInstanceOf(WorkerCrashedError);
    expect(await within(Promise.all(queued), 15_000)).toEqual([1, 2, 3, 4, 5]);
  });

  it('mpire#98: four calls with a 1 s timeout on two busy workers all time out, then the pool runs on', {
    timeout: 40_000,
  }, async () => {
    const p = pool({ processes: 2, context });
    await p.map(t.identity, [1, 2], { chunksize: 1 });
    const calls = range(4).map(() => p.applyAsync(t.sleep, [30_000], { timeout: 1000 }));
    const errors = await within(Promise.all(calls.map((r) => rejection(r.get()))), 20_000);
    expect(errors).not.toBe('still waiting');
    for (const err of errors as Error[]) expect(err).toBeInstanceOf(TimeoutError);
    expect(await within(p.map(t.identity, [7, 8]), 15_000)).toEqual([7, 8]);
  });

  it('billiard#412: map() with a timeout rejects with TimeoutError; the pool runs on', {
    timeout: 40_000,
  }, async () => {
    const p = pool({ processes: 2, context });
    expect(
      await within(rejection(p.map(t.sleep, [30_000, 30_000], { timeout: 1000 })), 20_000),
    ).toBeInstanceOf(TimeoutError);
    expect(await within(p.map(t.identity, [1, 2, 3]), 15_000)).toEqual([1, 2, 3]);
  });

  it('process-improve#239: repeated timeouts on one worker never leave spinning workers behind', {
    timeout: 60_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const spun: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const file = scratchFile();
      expect(await rejection(p.apply(t.whereThenSpin, [file], { timeout: 1000 }))).toBeInstanceOf(
        TimeoutError,
      );
      spun.push(await textIn(file));
    }
    expect(new Set(spun).size).toBe(3);
    expect(await eventually(() => p.stats().workers <= 1, 10_000)).toBe(true);
    if (context === 'process') {
      const pids = spun.map((w) => Number(w.split(':')[0]));
      expect(await eventually(() => pids.every((pid) => !alive(pid)), 10_000)).toBe(true);
    }
    expect(await p.apply(t.add, [1, 2])).toBe(3);
  });

  it('poolifier#70: a worker above minProcesses is not stopped by idleTimeout while its task runs', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 2, minProcesses: 0, idleTimeout: 200, context });
    const results = await within(Promise.all([p.apply(t.sleep, [1500]), p.apply(t.sleep, [1500])]), 20_000);
    expect(results).toEqual([1500, 1500]);
    expect(p.stats().failed).toBe(0);
    expect(await eventually(() => p.stats().workers === 0, 10_000)).toBe(true);
    expect(await within(p.apply(t.add, [2, 2]), 15_000)).toBe(4);
  });

  it('tinypool#56: a worker past its memory limit is replaced; the pool is back to its size', {
    timeout: 60_000,
  }, async () => {
    const p = pool({ processes: 2, context, resourceLimits: { maxOldGenerationSizeMb: 32 } });
    expect(await within(rejection(p.apply(t.eatMemory, [])), 45_000)).toBeInstanceOf(WorkerCrashedError);
    expect(await eventually(() => p.stats().workers === 2, 15_000)).toBe(true);
    expect(await within(p.map(t.identity, [1, 2, 3, 4], { chunksize: 1 }), 15_000)).toEqual([1, 2, 3, 4]);
  });

  it('geotiff.js#410: eight pools made, used and closed one after another leave no worker behind', {
    timeout: 60_000,
  }, async () => {
    const pids: number[] = [];
    for (let i = 0; i < 8; i += 1) {
      const p = pool({ processes: 1, context });
      pids.push(await p.apply(t.pidThenWait, [scratchFile(), 0]));
      p.close();
      await p.join();
      expect(p.stats().workers).toBe(0);
    }
    if (context === 'process') {
      expect(new Set(pids).size).toBe(8);
      expect(await eventually(() => pids.every((pid) => !alive(pid)))).toBe(true);
    }
  });
});

describe('bug reports (54), pools, process context', () => {
  it('apscheduler#362: a worker killed from outside while idle is replaced; the next three calls resolve', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context: 'process' });
    const pid = await p.apply(t.pidThenWait, [scratchFile(), 0]);
    process.kill(pid, 'SIGKILL');
    expect(await eventually(() => !alive(pid))).toBe(true);
    const results = await within(Promise.all([1, 2, 3].map((x) => p.apply(t.add, [x, x]))), 15_000);
    expect(results).toEqual([2, 4, 6]);
  });

  it('jest#13976: both workers killed from outside mid-task: both calls reject, four later calls resolve', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 2, context: 'process' });
    const [fa, fb] = [scratchFile(), scratchFile()];
    const calls = [p.apply(t.pidThenWait, [fa, 30_000]), p.apply(t.pidThenWait, [fb, 30_000])];
    // Both are read at once: the two deaths are two events, and the second call may reject first
    // (awaited one after the other, its rejection had no handler yet: an unhandled rejection).
    const outcomes = calls.map(rejection);
    const pids = [Number(await textIn(fa)), Number(await textIn(fb))];
    for (const pid of pids) process.kill(pid, 'SIGKILL');
    for (const outcome of outcomes) {
      const err = (await within(outcome, 15_000)) as WorkerCrashedError;
      expect(err).toBeInstanceOf(WorkerCrashedError);
      expect(err.signal).toBe('SIGKILL');
    }
    const results = await within(Promise.all([1, 2, 3, 4].map((x) => p.apply(t.add, [x, 1]))), 15_000);
    expect(results).toEqual([2, 3, 4, 5]);
  });

  it('jest#13183: a worker sent SIGTERM mid-task rejects its call with the signal; the pool runs on', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context: 'process' });
    const err = (await within(rejection(p.apply(t.sigtermSoon, [100])), 15_000)) as WorkerCrashedError;
    expect(err).toBeInstanceOf(WorkerCrashedError);
    expect(err.signal).toBe('SIGTERM');
    expect(await p.apply(t.add, [1, 1])).toBe(2);
  });

  it('jest#11819 / jest#179: a worker that segfaults rejects its call (signal SIGSEGV, exit code null)', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context: 'process' });
    const err = (await within(rejection(p.apply(t.killSelf, ['SIGSEGV'])), 15_000)) as WorkerCrashedError;
    expect(err).toBeInstanceOf(WorkerCrashedError);
    expect(err.signal).toBe('SIGSEGV');
    expect(err.exitCode).toBeNull();
    expect(await p.apply(t.add, [2, 2])).toBe(4);
  });

  it('celery#8952: the error of a worker lost to a signal names the signal', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context: 'process' });
    const err = await within(rejection(p.apply(t.killSelf, ['SIGABRT'])), 15_000);
    expect(err).toBeInstanceOf(WorkerCrashedError);
    expect((err as Error).message).toContain('SIGABRT');
  });

  it('billiard#408: a worker killed with SIGKILL fails the call it was running, with WorkerCrashedError', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context: 'process' });
    const err = (await within(rejection(p.apply(t.killSelf, ['SIGKILL'])), 15_000)) as WorkerCrashedError;
    expect(err).toBeInstanceOf(WorkerCrashedError);
    expect(err.signal).toBe('SIGKILL');
  });

  it('pebble#70: after a worker was killed from outside, close() and join() end and no worker is left', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 2, context: 'process' });
    const [fa, fb] = [scratchFile(), scratchFile()];
    const calls = [p.apply(t.pidThenWait, [fa, 300]), p.apply(t.pidThenWait, [fb, 300])];
    const pids = [Number(await textIn(fa)), Number(await textIn(fb))];
    process.kill(pids[0]!, 'SIGKILL');
    await Promise.allSettled(calls);
    p.close();
    expect(await within(p.join(), 15_000)).toBeUndefined();
    expect(await eventually(() => pids.every((pid) => !alive(pid)))).toBe(true);
  });
});

describe.each(CONTEXTS)('bug reports (54), whole programs, %s context', (context) => {
  it('workerpool#519: with the working folder removed, calls fail with WorkerStartError (not a task error), no retry loop', {
    timeout: 40_000,
  }, async () => {
    const { code, stdout } = await runProgram('bugs-54-program.mjs', ['cwd-removed', context]);
    expect(code).toBe(0);
    // A thread starts in the program's (removed) folder and cannot; a child forked there can.
    expect(stdout.trim().split('\n')).toEqual(
      context === 'thread'
        ? [
            'error WorkerStartError',
            'again error WorkerStartError',
            'process error WorkerStartError 1',
            'done',
          ]
        : ['result 5', 'again result 2', 'process joined 0', 'done'],
    );
  });

  it('vitest#2615: process.exit(0) in a task fails that call with WorkerCrashedError; the program goes on', {
    timeout: 40_000,
  }, async () => {
    const { code, stdout } = await runProgram('bugs-54-program.mjs', ['exit-in-task', context]);
    expect(code).toBe(0);
    expect(stdout.trim().split('\n')).toEqual(['error WorkerCrashedError 0', 'after 2', 'done']);
  });
});

describe.each(CONTEXTS)('bug reports (54), processes and queues, %s context', (context) => {
  it('cpython#116400: two queues with their own consumers, joined in either order: nothing hangs', {
    timeout: 40_000,
  }, async () => {
    const qIn = new Queue<number | null>();
    const qOut = new Queue<number>();
    const done = new Queue<number>();
    const doublers = [0, 1].map(() => new Process({ target: t.doubler, args: [qIn, qOut], context }));
    const counters = [0, 1].map(
      () => new Process({ target: t.counter, args: [qOut as Queue<number | null>, done], context }),
    );
    for (const p of [...doublers, ...counters]) p.start();
    for (let i = 0; i < 50; i += 1) await qIn.put(i);
    for (const _ of doublers) await qIn.put(null);
    for (const _ of counters) await (qOut as Queue<number | null>).put(null); // the "wrong" order
    for (const p of doublers) await p.join(20_000);
    for (const p of counters) await p.join(20_000);
    expect([...doublers, ...counters].map((p) => p.exitCode)).toEqual([0, 0, 0, 0]);
    const counted = [await done.get({ timeout: 5000 }), await done.get({ timeout: 5000 })];
    // The counters' sentinels were put before the doublers had finished: items put after them are
    // left on the queue, as in Python. What matters is that every process ended.
    expect(counted.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(50);
    for (const q of [qIn, qOut, done]) q.close();
  });

  it('cpython#142837: with 400 items put, two consumers never see empty() true before one of their gets', {
    timeout: 40_000,
  }, async () => {
    const q = new Queue<number>();
    for (let i = 0; i < 400; i += 1) await q.put(i);
    expect([q.qsize(), q.empty(), q.full()]).toEqual([400, false, false]);
    const p = pool({ processes: 2, context });
    const empties = await within(
      Promise.all([p.apply(qs.emptyBeforeGet, [q, 200]), p.apply(qs.emptyBeforeGet, [q, 200])]),
      30_000,
    );
    expect(empties).toEqual([0, 0]);
    expect([q.qsize(), q.empty()]).toEqual([0, true]);
    q.close();
  });

  it('cpython#140331: items put by a producer that has ended are all there for a consumer started later', {
    timeout: 30_000,
  }, async () => {
    const q = new Queue<number>();
    const out = new Queue<number[]>();
    const producer = new Process({ target: qs.putN, args: [q, 4], context });
    producer.start();
    await producer.join(20_000);
    expect(producer.exitCode).toBe(0);
    expect(q.empty()).toBe(false);
    const consumer = new Process({ target: qs.drainWhileNotEmpty, args: [q, out], context });
    consumer.start();
    expect(await out.get({ timeout: 15_000 })).toEqual([0, 1, 2, 3]);
    await consumer.join(20_000);
    q.close();
    out.close();
  });

  it('pebble#140 / bree#105: after terminate() and join(), the process is not alive and its exit code is -15', {
    timeout: 30_000,
  }, async () => {
    const p = new Process({ target: t.sleep, args: [30_000], context });
    p.start();
    await sleep(200);
    await p.terminate();
    await p.join(10_000);
    expect(p.isAlive()).toBe(false);
    expect(p.exitCode).toBe(-15);
    expect(activeChildren()).not.toContain(p);
  });

  it('training_hub#133: after kill() and join(), the process is not alive and its exit code is -9', {
    timeout: 30_000,
  }, async () => {
    const p = new Process({ target: t.sleep, args: [30_000], context });
    p.start();
    await sleep(200);
    p.kill();
    await p.join(10_000);
    expect(p.isAlive()).toBe(false);
    expect(p.exitCode).toBe(-9);
  });
});

describe('bug reports (54), shared memory and queues in the thread context', () => {
  it('birdnet#73: a process killed while holding a Lock never makes a bounded acquire() wait forever', {
    timeout: 30_000,
  }, async () => {
    const lock = new Lock();
    const held = new Event();
    const p = new Process({ target: t.holdLockForever, args: [lock, held], context: 'thread' });
    p.start();
    expect(await held.wait(15_000)).toBe(true);
    p.kill();
    await p.join(10_000);
    // Python waits forever here; this Lock hands a dead holder's lock to the next acquirer and says so.
    const got = await within(lock.acquire({ timeout: 2000 }), 5000);
    expect(got).toBe(true);
    expect(lock.abandoned).toBe(true);
    lock.release();
  });

  it('pipecat#2219: taskDone() once too often throws ValidationError at once; join() still resolves', {
    timeout: 30_000,
  }, async () => {
    const jq = new JoinableQueue<number>();
    await jq.put(1);
    await jq.get();
    jq.taskDone();
    expect(() => jq.taskDone()).toThrow(ValidationError);
    expect(await within(jq.join(), 5000)).toBeUndefined();
    jq.close();
  });

  it('cpython#74912: notify(2) with one waiter wakes it, and is not saved up for a waiter that comes later', {
    timeout: 30_000,
  }, async () => {
    const cond = new Condition();
    const [sleeping, woken] = [new Semaphore(0), new Semaphore(0)];
    const first = new Process({
      target: c.condWait,
      args: [cond, sleeping, woken, 15_000],
      context: 'thread',
    });
    first.start();
    expect(await sleeping.acquire({ timeout: 15_000 })).toBe(true);
    await cond.withLock(() => cond.notify(2));
    expect(await woken.acquire({ timeout: 10_000 })).toBe(true);
    const later = new Process({ target: c.condWait, args: [cond, sleeping, woken, 800], context: 'thread' });
    later.start();
    expect(await sleeping.acquire({ timeout: 15_000 })).toBe(true);
    await later.join(15_000);
    expect(await woken.acquire({ timeout: 100 })).toBe(false);
    await first.join(15_000);
  });

  it('loky#74: of two waiters, notify() wakes exactly one; a second notify() wakes the other', {
    timeout: 30_000,
  }, async () => {
    const cond = new Condition();
    const [sleeping, woken] = [new Semaphore(0), new Semaphore(0)];
    const waiters = [0, 1].map(
      () => new Process({ target: c.condWait, args: [cond, sleeping, woken, 15_000], context: 'thread' }),
    );
    for (const w of waiters) w.start();
    for (const _ of waiters) expect(await sleeping.acquire({ timeout: 15_000 })).toBe(true);
    await cond.withLock(() => cond.notify());
    expect(await woken.acquire({ timeout: 10_000 })).toBe(true);
    expect(await woken.acquire({ timeout: 300 })).toBe(false);
    await cond.withLock(() => cond.notify());
    expect(await woken.acquire({ timeout: 10_000 })).toBe(true);
    for (const w of waiters) await w.join(15_000);
  });

  it('RustPython#8739: notifyAll() wakes a waiter in a thread Process and one in the main thread alike', {
    timeout: 30_000,
  }, async () => {
    const cond = new Condition();
    const [sleeping, woken] = [new Semaphore(0), new Semaphore(0)];
    const w = new Process({ target: c.condWait, args: [cond, sleeping, woken, 15_000], context: 'thread' });
    w.start();
    expect(await sleeping.acquire({ timeout: 15_000 })).toBe(true);
    const mainWaits = (async () => {
      await cond.acquire();
      sleeping.release();
      try {
        return await cond.wait(15_000);
      } finally {
        cond.release();
      }
    })();
    expect(await sleeping.acquire({ timeout: 15_000 })).toBe(true);
    await cond.withLock(() => cond.notifyAll());
    expect(await within(mainWaits, 10_000)).toBe(true);
    expect(await woken.acquire({ timeout: 10_000 })).toBe(true);
    await w.join(15_000);
  });
});
