// Public bug reports of Node's worker pools (piscina, tinypool, workerpool, threads.js, poolifier,
// bull/bullmq's sandboxed processors, Node's own worker_threads and child_process) and of Python's
// multiprocessing and concurrent.futures that the earlier report files do not cover. Each case names
// its report, says in a line what went wrong there, and asserts what the contract (or, where it is
// silent, Python's fixed behaviour) says must happen instead, against real threads and child
// processes. Like the other report files it runs in the full tier (`MULTIPROC_TESTS=full`, both
// contexts; see vitest.config.ts).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  Pipe,
  PoolClosedError,
  Process,
  Queue,
  TimeoutError,
  WorkerCrashedError,
} from '@multiproc/multiproc';
import { describe, expect, it } from 'vitest';
import { tasks as t } from './fixtures/bugs-52-tasks.mjs';
import {
  alive,
  type Context,
  eventually,
  lines,
  rejection,
  reportSuite,
  sleep,
  within,
} from './report-helpers.ts';

const { CONTEXTS, pool, scratchFile } = reportSuite(import.meta.url, 'bugs-52-');

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Collects garbage a few times, with turns between (finalizers and WeakRefs clear across turns). */
async function collect(): Promise<void> {
  for (let i = 0; i < 4; i++) {
    gc();
    await sleep(20);
  }
}

describe.each(CONTEXTS)('bug reports (52), pools, %s context', (context) => {
  // heygen-com/hyperframes#1132: after a worker died mid-task, the next call was posted to the dead
  // worker and never settled.
  it('hyperframes#1132: after a worker dies mid-task, the next six calls all resolve on live workers', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 2, context });
    expect(await rejection(p.apply(t.exitNow, [3]))).toBeInstanceOf(WorkerCrashedError);
    const results = await within(Promise.all([1, 2, 3, 4, 5, 6].map((x) => p.apply(t.add, [x, 10]))), 15_000);
    expect(results).toEqual([11, 12, 13, 14, 15, 16]);
  });

  // temporalio/sdk-python#245: one BrokenProcessPool disabled the executor for good.
  it('temporalio#245: three crashes in a row each fail only their call; the pool then maps as before', {
    timeout: 40_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    for (let i = 0; i < 3; i++) {
      const err = await rejection(p.apply(t.exitNow, [7]));
      expect(err).toBeInstanceOf(WorkerCrashedError);
      expect((err as WorkerCrashedError).exitCode).toBe(7);
    }
    expect(await p.map(t.identity, [1, 2, 3, 4])).toEqual([1, 2, 3, 4]);
  });

  // tinylibs/tinypool#52: aborting the queued calls also stopped the running one.
  it('tinypool#52: one signal shared by the queued calls aborts them; the running call without it completes', {
    timeout: 30_000,
  }, async () => {
    const file = scratchFile();
    const p = pool({ processes: 1, context });
    const controller = new AbortController();
    const running = p.apply(t.markAround, [file, 'running', 600]);
    const queued = [0, 1, 2, 3].map((i) =>
      rejection(p.apply(t.mark, [file, `queued${i}`], { signal: controller.signal })),
    );
    expect(await eventually(() => lines(file).includes('running'), 15_000)).toBe(true);
    controller.abort();
    for (const r of queued) expect((await r).name).toBe('AbortError');
    expect(await running).toBe('running');
    expect(lines(file)).toEqual(['running', 'running-end']);
  });

  // andywer/threads.js#461: terminate() hung after the workers had failed to initialise.
  it('threads.js#461: terminate() after initializer failures resolves at once', {
    timeout: 30_000,
  }, async () => {
    const file = scratchFile();
    const p = pool({ processes: 2, context, initializer: t.countedBadInit, initargs: [file] });
    const results = await Promise.allSettled([1, 2, 3].map((x) => p.apply(t.identity, [x])));
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(await within(p.terminate(), 10_000)).toBeUndefined();
  });

  // andywer/threads.js#316: waiting for completion after terminate() never resolved.
  it('threads.js#316: close(), then terminate() with a call running: join() resolves, the call rejects with PoolClosedError', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const running = rejection(p.apply(t.sleep, [60_000]));
    await sleep(200);
    p.close();
    await p.terminate();
    expect(await within(p.join(), 5000)).toBeUndefined();
    expect(await running).toBeInstanceOf(PoolClosedError);
  });

  // josdejong/workerpool#418: terminate() did not stop a worker stuck in an endless loop.
  it('workerpool#418: terminate() with a call in a synchronous endless loop resolves; the worker is gone', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const [pid] = (await p.apply(t.where, [])).split(':').map(Number);
    const stuck = rejection(p.apply(t.spinForever, []));
    await sleep(300);
    expect(await within(p.terminate(), 10_000)).toBeUndefined();
    expect(await stuck).toBeInstanceOf(PoolClosedError);
    if (context === 'process') expect(await eventually(() => !alive(pid as number))).toBe(true);
  });

  // josdejong/workerpool#448: after a call timed out, terminate() never resolved.
  it('workerpool#448: a call that timed out, then terminate(): it resolves', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    expect(await rejection(p.apply(t.sleep, [60_000], { timeout: 200 }))).toBeInstanceOf(TimeoutError);
    expect(await within(p.terminate(), 10_000)).toBeUndefined();
  });

  // josdejong/workerpool#498: terminate() on a pool with no active task never resolved.
  it('workerpool#498: terminate() on a pool never used, and on one idle after use, resolves at once', {
    timeout: 30_000,
  }, async () => {
    const unused = pool({ processes: 2, context });
    expect(await within(unused.terminate(), 5000)).toBeUndefined();
    const idle = pool({ processes: 2, context });
    expect(await idle.map(t.identity, [1, 2])).toEqual([1, 2]);
    await sleep(100);
    expect(await within(idle.terminate(), 5000)).toBeUndefined();
  });

  // ray-project/ray#29466: while one worker ran a long item, the other stopped taking new ones.
  it('ray#29466: map with one long item and twenty short ones: the other worker runs the short ones meanwhile', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 2, context });
    await p.map(t.identity, [1, 2], { chunksize: 1 });
    const start = Date.now();
    const input = [1500, ...Array(20).fill(40)];
    expect(await p.map(t.sleep, input, { chunksize: 1 })).toEqual(input);
    // Serially after the long item the short ones would add 800 ms.
    expect(Date.now() - start).toBeLessThan(1500 + 700);
  });

  // ray-project/ray#29453: imap_unordered blocked short results behind a long one.
  it('ray#29453: imapUnordered yields the short items while the long one still runs', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 2, context });
    await p.map(t.identity, [1, 2], { chunksize: 1 });
    const start = Date.now();
    const seen: number[] = [];
    let shortsDoneAt = 0;
    for await (const v of p.imapUnordered(t.sleep, [2000, ...Array(10).fill(30)])) {
      seen.push(v);
      if (seen.length === 10) shortsDoneAt = Date.now() - start;
    }
    expect(seen.slice(0, 10)).toEqual(Array(10).fill(30));
    expect(seen[10]).toBe(2000);
    expect(shortsDoneAt).toBeLessThan(1500);
  });

  // python/cpython#101267: every failed future shared one BrokenProcessPool exception object, so
  // the traceback of each grew with every raise.
  it('gh-101267: calls pending at terminate() each reject with an error object of their own', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const pending = [0, 1, 2, 3].map(() => rejection(p.apply(t.sleep, [60_000])));
    await sleep(200);
    await p.terminate();
    const errors = await Promise.all(pending);
    for (const e of errors) expect(e).toBeInstanceOf(PoolClosedError);
    expect(new Set(errors).size).toBe(4);
  });

  // shazow/workerpool#6: map returned results in completion order.
  it('shazow/workerpool#6: map keeps input order when the items finish in reverse order', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 4, context });
    expect(await p.map(t.sleep, [400, 300, 200, 100, 0], { chunksize: 1 })).toEqual([400, 300, 200, 100, 0]);
  });

  // TheAlgorithms/Python#2253: are the parts of each imap_unordered result kept together?
  it('TheAlgorithms#2253: imapUnordered yields each result whole: the pairs [x, x * x] stay paired', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 3, context });
    const pairs: [number, number][] = [];
    for await (const v of p.imapUnordered(
      t.pair,
      Array.from({ length: 30 }, (_, i) => i),
    ))
      pairs.push(v);
    expect(pairs).toHaveLength(30);
    for (const [x, y] of pairs) expect(y).toBe(x * x);
  });

  // piscinajs/piscina#76: a call given an AbortSignal that was already aborted still ran.
  it('piscina#76: a signal already aborted rejects the call with AbortError (the reason as cause); it never runs', {
    timeout: 20_000,
  }, async () => {
    const file = scratchFile();
    const p = pool({ processes: 1, context });
    const reason = new Error('user left');
    const err = await rejection(p.apply(t.mark, [file, 'ran'], { signal: AbortSignal.abort(reason) }));
    expect(err.name).toBe('AbortError');
    expect(err.cause).toBe(reason);
    expect(await p.apply(t.add, [1, 1])).toBe(2);
    expect(lines(file)).toEqual([]);
  });

  // piscinajs/piscina#934: aborting one call stopped an unrelated call running beside it.
  it('piscina#934: aborting one running call leaves the call running on the other worker to complete', {
    timeout: 30_000,
  }, async () => {
    const file = scratchFile();
    const p = pool({ processes: 2, context });
    const controller = new AbortController();
    const a = rejection(p.apply(t.markAround, [file, 'a', 60_000], { signal: controller.signal }));
    const b = p.apply(t.markAround, [file, 'b', 800]);
    expect(await eventually(() => lines(file).includes('a') && lines(file).includes('b'), 15_000)).toBe(true);
    controller.abort();
    expect((await a).name).toBe('AbortError');
    expect(await b).toBe('b');
  });

  // piscinajs/piscina#156: a running task whose signal was aborted went on with its work.
  it('piscina#156: an aborted running call is stopped: its work after the abort never happens', {
    timeout: 30_000,
  }, async () => {
    const file = scratchFile();
    const p = pool({ processes: 1, context });
    const controller = new AbortController();
    const r = rejection(p.apply(t.markAround, [file, 'job', 700], { signal: controller.signal }));
    expect(await eventually(() => lines(file).includes('job'), 15_000)).toBe(true);
    controller.abort();
    expect((await r).name).toBe('AbortError');
    await sleep(1200);
    expect(lines(file)).toEqual(['job']);
    expect(await p.apply(t.add, [2, 2])).toBe(4);
  });

  // piscinajs/piscina#869: a deadline meant for the task also counted the wait in the queue. Here
  // (as Python's get(timeout)) a timeout runs from the call: a call still queued at its deadline
  // rejects with TimeoutError and never runs later.
  it('piscina#869: a call still queued at its timeout rejects with TimeoutError and never runs', {
    timeout: 30_000,
  }, async () => {
    const file = scratchFile();
    const p = pool({ processes: 1, context });
    const busy = p.apply(t.markAround, [file, 'busy', 1200]);
    expect(await eventually(() => lines(file).includes('busy'), 15_000)).toBe(true);
    const start = Date.now();
    expect(await rejection(p.apply(t.mark, [file, 'late'], { timeout: 300 }))).toBeInstanceOf(TimeoutError);
    expect(Date.now() - start).toBeLessThan(1000);
    expect(await busy).toBe('busy');
    expect(await p.apply(t.add, [1, 2])).toBe(3);
    expect(lines(file)).toEqual(['busy', 'busy-end']);
  });

  // nodejs/node#26145: an error whose `stack` getter threw could not be sent back from a worker.
  it('node#26145: a task that throws an error whose stack getter throws rejects with its message; the pool runs on', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const err = await rejection(p.apply(t.throwStackGetterThrows, []));
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toBe('stack getter throws');
    expect(err).not.toBeInstanceOf(WorkerCrashedError);
    expect(await p.apply(t.add, [3, 4])).toBe(7);
  });

  // webpack/thread-loader#13: errors from workers lost their class: a SyntaxError came back as Error.
  it('thread-loader#13: a SyntaxError thrown by a task comes back as a SyntaxError whose stack starts with its name', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const err = await rejection(p.apply(t.throwSyntax, ['Unexpected token }']));
    expect(err).toBeInstanceOf(SyntaxError);
    expect(err.stack?.startsWith('SyntaxError: Unexpected token }')).toBe(true);
  });

  // uber/petastorm#268: the stack of an error raised in a pool worker did not show where it happened.
  it("petastorm#268: a task's error keeps the worker's stack, naming the function that threw", {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const err = await rejection(p.apply(t.throwNested, []));
    expect(err).toBeInstanceOf(RangeError);
    expect(err.stack).toContain('parseRecordInWorker');
    expect(err.stack).toContain('bugs-52-tasks.mjs');
  });

  // osmlab/atlas#631: the pool's error lost the cause of the task's failure.
  it("atlas#631: a task's error keeps its chain of causes, each of its own class", {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const err = await rejection(p.apply(t.throwCaused, []));
    expect(err.message).toBe('outer');
    const middle = err.cause as Error;
    expect(middle).toBeInstanceOf(TypeError);
    expect(middle.message).toBe('middle');
    expect(middle.cause).toBeInstanceOf(RangeError);
    expect((middle.cause as Error).message).toBe('inner');
  });

  // rickypc/puppeteer-page-pool#2: a task that threw something other than an Error had it swallowed.
  it('puppeteer-page-pool#2: a task that throws a string or a plain object rejects its call with that value', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    expect(await rejection(p.apply(t.throwValue, ['boom']))).toBe('boom');
    expect(await rejection(p.apply(t.throwValue, [{ code: 42 }]))).toEqual({ code: 42 });
    expect(await p.apply(t.add, [1, 1])).toBe(2);
  });

  // dask/distributed#2089 (concurrent.futures' as_completed): a failed item must surface where it
  // falls in completion order, not be dropped. imapUnordered yields what finished before it, then
  // throws its error; the pool runs on.
  it('dask#2089: imapUnordered with a failing item yields the items done before it, then throws its error', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const seen: number[] = [];
    const err = await rejection(
      (async () => {
        for await (const v of p.imapUnordered(t.failOn, [0, 1, 2, 3, 4])) seen.push(v);
      })(),
    );
    expect(err).toBeInstanceOf(RangeError);
    expect(err.message).toBe('bad item 2');
    expect(seen).toEqual([0, 1]);
    expect(await p.apply(t.add, [1, 1])).toBe(2);
  });

  // python/cpython#73919 (bpo-29733): a wait with a timeout on a result raised TimeoutError wrongly.
  it('gh-73919: get(ms) on a slow call rejects with TimeoutError after about ms; a later get() still gives the value', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const r = p.applyAsync(t.sleep, [900]);
    const start = Date.now();
    expect(await rejection(r.get(150))).toBeInstanceOf(TimeoutError);
    const waited = Date.now() - start;
    expect(waited).toBeGreaterThanOrEqual(140);
    expect(waited).toBeLessThan(800);
    expect(r.ready()).toBe(false);
    expect(await r.get()).toBe(900);
  });

  // andywer/threads.js#270: a task's promise awaited after the task had finished never resolved.
  it('threads.js#270: results awaited a second after their calls finished still resolve, each with its own value', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const calls = [
      [1, 1],
      [2, 2],
      [3, 3],
      [4, 5],
    ].map(([a, b]) => p.applyAsync(t.add, [a as number, b as number]));
    await sleep(1000);
    for (const c of calls) expect(c.ready()).toBe(true);
    expect(await Promise.all(calls)).toEqual([2, 4, 6, 9]);
  });

  // andywer/threads.js#208: one failed task ended the wait for all of them.
  it('threads.js#208: with one failing call among eight, the other seven resolve', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 2, context });
    const settled = await Promise.allSettled(
      [0, 1, 2, 3, 4, 5, 6, 7].map((x) => p.apply(t.failOn, [x, 5, 20])),
    );
    expect(settled.map((s) => s.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
  });

  // andywer/threads.js#38: running the pool again multiplied the callbacks of earlier runs.
  it("threads.js#38: each applyAsync's callback runs once, with its own result, however many calls ran before", {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 2, context });
    const seen: number[] = [];
    for (let round = 0; round < 3; round++) {
      await Promise.all(
        [1, 2].map((v) => p.applyAsync(t.add, [v, round * 10], { callback: (r) => seen.push(r) })),
      );
    }
    await sleep(50);
    expect(seen.sort((a, b) => a - b)).toEqual([1, 2, 11, 12, 21, 22]);
  });

  // pofider/phantom-workers#8: a timeout racing the task's own end called the callback twice.
  it('phantom-workers#8: a timeout that races the end of the task calls exactly one of callback and errorCallback, once', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 2, context });
    const counts = Array.from({ length: 12 }, () => 0);
    const calls = counts.map((_, i) =>
      p.applyAsync(t.sleep, [100], {
        timeout: 100,
        callback: () => {
          counts[i] = (counts[i] as number) + 1;
        },
        errorCallback: () => {
          counts[i] = (counts[i] as number) + 1;
        },
      }),
    );
    await Promise.allSettled(calls);
    await sleep(300);
    expect(counts).toEqual(Array(12).fill(1));
  });

  // andywer/threads.js#254 (and #268): after the pool sat idle a while, queued tasks never ran.
  it('threads.js#254: after the workers retired for idleness, a new call still runs', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context, minProcesses: 0, idleTimeout: 150 });
    const first = await p.apply(t.where, []);
    await sleep(800);
    const second = await within(p.apply(t.where, []), 10_000);
    expect(typeof second).toBe('string');
    expect(second).not.toBe(first);
  });

  // taskforcesh/bullmq#2366: jobs beyond the concurrency failed at once instead of waiting.
  it('bullmq#2366: ten calls at once on a pool of one wait their turn and all resolve', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => p.apply(t.sleep, [i * 5])));
    expect(results).toEqual(Array.from({ length: 10 }, (_, i) => i * 5));
  });

  // zeldaret/oot#2297 (Python's Pool respawning workers whose initializer fails, for ever): after
  // the calls were rejected, an idle pool must not go on starting workers that fail.
  it('oot#2297: an initializer that always throws: once the calls are rejected, the idle pool starts no more workers', {
    timeout: 30_000,
  }, async () => {
    const file = scratchFile();
    const p = pool({ processes: 2, context, initializer: t.countedBadInit, initargs: [file] });
    const results = await Promise.allSettled([1, 2, 3, 4].map((x) => p.apply(t.identity, [x])));
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    // A replacement still starting may fail once more (a slow start on a loaded machine): wait
    // until the count holds for a second, then it must hold on, and stay small.
    let after = -1;
    for (let tries = 0; tries < 10 && lines(file).length !== after; tries++) {
      after = lines(file).length;
      await sleep(1000);
    }
    await sleep(1500);
    expect(lines(file).length).toBe(after);
    expect(after).toBeLessThanOrEqual(8);
  });

  // joblib/joblib#1525: what does a caller see when the initializer raises? Its own error, with the
  // initializer's stack and cause.
  it("joblib#1525: an initializer's error reaches the call with the initializer's stack and cause", {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context, initializer: t.initWithHelper });
    const err = await rejection(p.apply(t.identity, [1]));
    expect(err.message).toBe('cannot open database');
    expect(err.stack).toContain('openDatabaseForWorker');
    expect((err.cause as Error).message).toBe('ECONNREFUSED');
  });

  // taskforcesh/bullmq#4283: a worker whose start failed once (a transient error) was kept and
  // failed every later job with an empty message. Here a call dispatched to that worker rejects with
  // the initializer's own message, the worker is replaced, and every later call resolves.
  it('bullmq#4283: an initializer that fails once: later calls all resolve; a call it failed has its message', {
    timeout: 30_000,
  }, async () => {
    const file = scratchFile();
    const p = pool({ processes: 1, context, initializer: t.flakyInit, initargs: [file] });
    const first = await Promise.allSettled([p.apply(t.identity, [1])]);
    if (first[0]?.status === 'rejected') {
      expect((first[0].reason as Error).message).toBe('transient init failure (ENOMEM)');
    }
    expect(existsSync(file)).toBe(true);
    expect(await within(Promise.all([2, 3, 4, 5].map((x) => p.apply(t.identity, [x]))), 15_000)).toEqual([
      2, 3, 4, 5,
    ]);
  });

  // python/cpython#119592: with max_tasks_per_child, work submitted before shutdown(wait=False)
  // was stranded when the worker retired.
  it('gh-119592: maxTasksPerChild 1, six calls, then close(): all six run, each on a new worker; join() ends', {
    timeout: 40_000,
  }, async () => {
    const p = pool({ processes: 1, context, maxTasksPerChild: 1 });
    const calls = Array.from({ length: 6 }, () => p.applyAsync(t.whereAfter, [10]));
    p.close();
    expect(await within(p.join(), 30_000)).toBeUndefined();
    const where = await Promise.all(calls);
    expect(new Set(where).size).toBe(6);
  });

  // iree-org/iree-turbine#333 and ARM-software/lisa#1879: Python's pool workers cannot start a
  // nested Pool (daemonic processes may not have children). Here a task makes its own pools.
  it('iree-turbine#333: a task makes a process pool and a thread pool of its own and maps on them', {
    timeout: 60_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    expect(await p.apply(t.nestedMap, ['process', [1, 2, 3]])).toEqual([2, 4, 6]);
    expect(await p.apply(t.nestedMap, ['thread', [4, 5]])).toEqual([8, 10]);
  });

  // nwjs/nw.js#2211: a small Buffer's ArrayBuffer is Node's shared 8 KiB pool; sent as it is, the
  // receiver got the whole pool (other data with it). The task sees exactly the Buffer's bytes.
  it("nw.js#2211: a small Buffer argument arrives as exactly its bytes, not the pool's 8 KiB", {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const secret = Buffer.from('password=hunter2');
    const info = await p.apply(t.bytesInfo, [Buffer.from('hello')]);
    expect(info).toEqual({ length: 5, byteLength: 5, text: 'hello' });
    const back = await p.apply(t.smallBuffer, ['xyz']);
    expect(back.byteLength).toBe(3);
    expect(back.buffer.byteLength).toBe(3);
    expect(new TextDecoder().decode(back)).toBe('xyz');
    void secret;
  });

  // flatironinstitute/CaImAn#335 (bpo-17560): a result of hundreds of MB could not be sent back.
  it('CaImAn#335: a 48 MB string result and a 48 MB string argument cross intact', {
    timeout: 60_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const n = 48 * 1024 * 1024;
    const big = await p.apply(t.bigString, [n]);
    expect(big.length).toBe(n);
    expect(big.startsWith('yyy') && big.endsWith('yyy')).toBe(true);
    expect(await p.apply(t.length, [big])).toBe(n);
  });

  // andywer/threads.js#27: the pool kept every job's arguments after the job was done.
  it("threads.js#27: a finished call's AsyncResult, still held, does not keep its arguments alive", {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const kept: unknown[] = [];
    const refs: WeakRef<object>[] = [];
    // In a function of its own: a suspended async function's frame may still hold its last local.
    const call = async (i: number) => {
      const arg = { rows: new Array(10_000).fill(i) };
      refs.push(new WeakRef(arg));
      const r = p.applyAsync(t.identity, [arg]);
      await r;
      kept.push(r);
    };
    for (let i = 0; i < 5; i++) await call(i);
    await collect();
    expect(refs.filter((r) => r.deref() !== undefined)).toHaveLength(0);
    expect(kept).toHaveLength(5);
  });

  // josdejong/workerpool#471: the main process's memory grew with every call until it crashed.
  it("workerpool#471: 3000 calls done leave the main thread's heap about where it was", {
    timeout: 60_000,
  }, async () => {
    const p = pool({ processes: 2, context });
    const round = () =>
      Promise.all(Array.from({ length: 500 }, (_, i) => p.apply(t.identity, ['x'.repeat(1000) + i])));
    await round();
    await collect();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 6; i++) await round();
    await collect();
    const grown = process.memoryUsage().heapUsed - before;
    expect(grown).toBeLessThan(4 * 1024 * 1024);
  });
});

describe.each(CONTEXTS)('bug reports (52), processes and connections, %s context', (context) => {
  // oven-sh/bun#14144: a worker's message was lost when it called process.exit() right after.
  it('bun#14144: a Process that sends on a Pipe and exits at once: the message arrives, then EOFError', {
    timeout: 20_000,
  }, async () => {
    const [a, b] = Pipe();
    const child = new Process({ target: t.sendThenExit, args: [b, { type: 'finish', n: 1 }], context });
    child.start();
    b.close();
    expect(await a.recv()).toEqual({ type: 'finish', n: 1 });
    await child.join();
    expect(child.exitCode).toBe(0);
    expect((await rejection(a.recv())).name).toBe('EOFError');
  });

  // denoland/deno#33085: 2048 bytes sent just before process.exit() were lost now and then.
  it('deno#33085: a Process that sendBytes 2048 bytes and exits at once: all 2048 arrive, five times', {
    timeout: 40_000,
  }, async () => {
    for (let i = 0; i < 5; i++) {
      const [a, b] = Pipe();
      const child = new Process({
        target: t.sendBytesThenExit,
        args: [b, new Uint8Array(2048).fill(0x41)],
        context,
      });
      child.start();
      b.close();
      const got = await a.recvBytes();
      expect(got.byteLength).toBe(2048);
      expect(got.every((x) => x === 0x41)).toBe(true);
      await child.join();
      a.close();
    }
  });

  // audreyt/node-webworker-threads#11: with several workers started at once, some replies to the
  // main thread were lost.
  it('node-webworker-threads#11: eight Processes started at once each put a reply on one Queue: all eight arrive', {
    timeout: 40_000,
  }, async () => {
    const q = new Queue<unknown>();
    const children = Array.from(
      { length: 8 },
      (_, i) => new Process({ target: t.put, args: [q, `initdone-${i}`], context }),
    );
    for (const c of children) c.start();
    const got = await Promise.all(children.map(() => q.get({ timeout: 20_000 })));
    expect((got as string[]).sort()).toEqual(Array.from({ length: 8 }, (_, i) => `initdone-${i}`).sort());
    await Promise.all(children.map((c) => c.join()));
    q.close();
  });
});

// Process context only (a thread cannot die of a signal alone), in every tier: outside the matrix.
describe('bug reports (52), process context only', () => {
  // OptimalBits/bull#1766 (bullmq#2979): a sandboxed job whose child was killed stayed active for
  // ever. Here a worker killed by SIGSEGV (a native crash) fails its call with the signal named.
  it('bullmq#2979: a worker that dies of SIGSEGV mid-task rejects its call with signal SIGSEGV', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context: 'process' });
    const err = (await rejection(p.apply(t.killSelf, ['SIGSEGV']))) as WorkerCrashedError;
    expect(err).toBeInstanceOf(WorkerCrashedError);
    expect(err.signal).toBe('SIGSEGV');
    expect(err.exitCode).toBeNull();
    expect(await p.apply(t.add, [5, 5])).toBe(10);
  });
});

describe('bug reports (52), programs and signals', () => {
  /**
   * Starts fixtures/bugs-52-program.mjs (a pool of 2 left idle and open), waits for its workers'
   * pids, sends the program `signal` and resolves with how it ended and those pids.
   */
  function idleProgram(context: Context, signal: NodeJS.Signals) {
    const file = fileURLToPath(new URL('./fixtures/bugs-52-program.mjs', import.meta.url));
    const child = spawn(process.execPath, [file, context], { stdio: ['ignore', 'pipe', 'pipe'] });
    return new Promise<{ signal: string | null; pids: number[] }>((resolve, reject) => {
      let out = '';
      let err = '';
      let pids: number[] = [];
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`the program did not end: ${out} ${err}`));
      }, 20_000);
      child.stderr.on('data', (d: Buffer) => {
        err += d;
      });
      child.stdout.on('data', (d: Buffer) => {
        out += d;
        if (pids.length === 0 && out.includes('\n')) {
          pids = (JSON.parse(out.split('\n')[0] as string) as { pids: number[] }).pids;
          child.kill(signal);
        }
      });
      child.on('exit', (_code, sig) => {
        clearTimeout(timer);
        resolve({ signal: sig, pids });
      });
    });
  }

  // blacklanternsecurity/bbot#3207, josdejong/workerpool#36 and yandex/mastermind#75: a parent
  // killed while its pool sat idle left the workers orphaned, waiting for ever.
  it.each(['SIGKILL', 'SIGTERM'] as const)(
    'bbot#3207 / workerpool#36: a program whose process pool is idle, sent %s, leaves no worker running',
    { timeout: 40_000 },
    async (sig) => {
      const { signal, pids } = await idleProgram('process', sig);
      expect(signal).toBe(sig);
      expect(pids.length).toBeGreaterThanOrEqual(1);
      expect(await eventually(() => pids.every((pid) => !alive(pid)), 5000)).toBe(true);
    },
  );
});
