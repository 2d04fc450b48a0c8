// Inputs from public bug reports of Node worker pools (piscina, tinypool, workerpool) and of Node's
// worker_threads / child_process as pools meet them, run against this library's Pool in both
// contexts. The outcome asked is the contract's; where it is silent, Python's: every call settles
// with a named error or its value, never hangs, and no innocent call is lost.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  PoolClosedError,
  Process,
  SerializationError,
  TimeoutError,
  WorkerCrashedError,
} from '@multiproc/multiproc';
import { afterEach, describe, expect, it } from 'vitest';
import { more as m, tasks as t } from './fixtures/node-pool-bugs-tasks.mjs';
import { type Context, fileWritten, poolsEndedAfterEach } from './report-helpers.ts';

const pool = poolsEndedAfterEach();
/** Native sleepers started by `nativeBlock` tasks: killed after each test, which unblocks their workers. */
const sleepers: string[] = [];
afterEach(async () => {
  for (const file of sleepers.splice(0)) {
    try {
      process.kill(Number(readFileSync(file, 'utf8')), 'SIGKILL');
    } catch {}
  }
});

/** The settled outcome of a promise: its value, or the error's name. */
const outcome = (p: PromiseLike<unknown>) =>
  Promise.resolve(p).then(
    (value) => ({ value }),
    (error: Error) => ({ error: error.name }),
  );

describe.each(['thread', 'process'] as Context[])('Node pool bug reports, %s context', (context) => {
  // piscina #21 (resourceLimits), lage #668: a worker out of memory must reject its call, not stall.
  it('a task that runs out of heap rejects with WorkerCrashedError; the next call runs', {
    timeout: 60_000,
  }, async () => {
    const p = pool({ processes: 1, context, resourceLimits: { maxOldGenerationSizeMb: 32 } });
    const error = await p.apply(t.exhaustHeap, []).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect(await p.apply(t.identity, [42])).toBe(42);
  });

  // workerpool #418, tinypool #49: terminate() of a pool whose worker spins in a loop must end it.
  it('terminate() ends a worker blocked in an endless loop; its call rejects with PoolClosedError', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const dir = mkdtempSync(join(tmpdir(), 'mp-spin-'));
    const marker = join(dir, 'spinning');
    const spinning = outcome(p.apply(t.spin, [marker]));
    const queued = outcome(p.apply(t.identity, [2]));
    await fileWritten(marker);
    await p.terminate();
    rmSync(dir, { recursive: true, force: true });
    expect(await spinning).toEqual({ error: 'PoolClosedError' });
    expect(await queued).toEqual({ error: 'PoolClosedError' });
  });

  // workerpool #418: a timeout on a blocked task recycles its worker and the pool runs on.
  it('a timeout stops a task that blocks its event loop; the pool runs on', { timeout: 30_000 }, async () => {
    const p = pool({ processes: 1, context });
    await expect(p.apply(t.spin, [], { timeout: 300 })).rejects.toBeInstanceOf(TimeoutError);
    expect(await p.apply(t.identity, ['after'])).toBe('after');
  });

  // piscina #76: a signal already aborted rejects at once and the task never runs.
  it('a signal aborted before the call rejects with AbortError carrying the reason', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const reason = new Error('cancelled by user');
    const error = await p
      .apply(t.identity, [1], { signal: AbortSignal.abort(reason) })
      .catch((e: Error) => e);
    expect(error).toMatchObject({ name: 'AbortError', cause: reason });
    expect(await p.apply(t.identity, [2])).toBe(2);
  });

  // piscina #805: aborting a queued call, then the running one, must not stall the calls behind them.
  it('aborting a queued call then the running one leaves the next queued call to run', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    await p.apply(t.identity, [0]);
    const a1 = new AbortController();
    const a2 = new AbortController();
    const c1 = outcome(p.apply(t.sleep, [10_000], { signal: a1.signal }));
    const c2 = outcome(p.apply(t.sleep, [10_000], { signal: a2.signal }));
    const c3 = outcome(p.apply(t.identity, ['third']));
    a2.abort();
    a1.abort();
    expect(await c2).toEqual({ error: 'AbortError' });
    expect(await c1).toEqual({ error: 'AbortError' });
    expect(await c3).toEqual({ value: 'third' });
  });

  // haste #162, workerpool #511: an exception thrown by a timer after the task returned.
  it('an uncaught exception after the task returned keeps the result, and other calls complete', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    expect(await p.apply(t.throwLater, [0])).toBe('returned');
    const after = await Promise.all(Array.from({ length: 20 }, (_, i) => outcome(p.apply(t.sleep, [i % 3]))));
    for (const [i, o] of after.entries()) {
      // A call running when the late throw killed the worker rejects with WorkerCrashedError; the rest run.
      if ('error' in o) expect(o.error).toBe('WorkerCrashedError');
      else expect(o.value).toBe(i % 3);
    }
    expect(after.filter((o) => 'error' in o).length).toBeLessThanOrEqual(1);
    expect(await p.apply(t.identity, ['still'])).toBe('still');
  });

  // workerpool #511 (unhandledRejection in a worker): a late unhandled rejection is an uncaught error.
  it('an unhandled rejection after the task returned keeps the result; the pool runs on', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    expect(await p.apply(t.rejectLater, [0])).toBe('returned');
    const after = await Promise.all(Array.from({ length: 10 }, () => outcome(p.apply(t.sleep, [5]))));
    expect(after.filter((o) => 'error' in o).length).toBeLessThanOrEqual(1);
    expect(await p.apply(t.identity, ['still'])).toBe('still');
  });

  // piscina #102, workerpool #331, node-worker-threads-pool #17: results a structured clone refuses.
  it.each(['symbol', 'symbolField', 'function', 'promiseField', 'weakMap'])(
    'a result holding a %s rejects with SerializationError; the worker lives on',
    { timeout: 20_000 },
    async (kind) => {
      const p = pool({ processes: 1, context });
      const before = await p.apply(t.pid, []);
      const error = await p.apply(t.result, [kind]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SerializationError);
      expect((error as SerializationError).path).toMatch(/^result/);
      expect(await p.apply(t.pid, [])).toBe(before);
    },
  );

  // tinypool #127, jest BigInt serialization (aztec #5883): values the clone keeps must come back.
  it('results a structured clone keeps come back equal: class instance data, circular, BigInt, Map/Set, typed arrays, Date/RegExp', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    expect(await p.apply(t.result, ['classInstance'])).toEqual({ x: 3, y: 4 });
    const circular = (await p.apply(t.result, ['circular'])) as { self: unknown; list: unknown[] };
    expect(circular.self).toBe(circular);
    expect(circular.list[0]).toBe(circular);
    expect(await p.apply(t.result, ['bigint'])).toEqual({ big: 2n ** 70n });
    expect(await p.apply(t.result, ['mapSet'])).toEqual({ m: new Map([['k', new Set([1, 2])]]) });
    const typed = (await p.apply(t.result, ['typed'])) as { f: Float64Array; u: Uint8Array };
    expect(typed.f).toBeInstanceOf(Float64Array);
    expect([...typed.f]).toEqual([1.5, 2.5]);
    expect([...typed.u]).toEqual([1, 2, 3]);
    const dated = (await p.apply(t.result, ['date'])) as { d: Date; r: RegExp };
    expect(dated.d).toEqual(new Date(0));
    expect(dated.r).toEqual(/x+/gi);
  });

  // workerpool #8 (error serialization): an Error returned (not thrown) keeps its name, message and fields.
  it('an Error subclass returned as a value keeps its name, message and own fields', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const value = await p.apply(t.result, ['errorValue']);
    expect(value).toBeInstanceOf(Error);
    expect(value).toMatchObject({ name: 'HttpError', message: 'down', status: 503 });
  });

  // rstest #792 (RangeError: Invalid array length sending large data): very large arguments and results.
  it('a 64 MiB argument and a 64 MiB result cross intact', { timeout: 60_000 }, async () => {
    const p = pool({ processes: 1, context });
    expect(await p.apply(t.length, ['y'.repeat(64 * 1024 * 1024)])).toBe(64 * 1024 * 1024);
    const big = await p.apply(t.bigResult, [64]);
    expect(big.length).toBe(64 * 1024 * 1024);
  });

  // workerpool #471: many pending calls must all settle (memory grows with the queue, not beyond).
  it('100k pending applyAsync calls all settle with their values', { timeout: 120_000 }, async () => {
    const p = pool({ processes: 2, context });
    const n = 100_000;
    const results = Array.from({ length: n }, (_, i) => p.applyAsync(t.identity, [i]));
    const values = await Promise.all(results);
    expect(values.length).toBe(n);
    expect(values.every((v, i) => v === i)).toBe(true);
  });

  // piscina #21 (forwarding `env` to workers): a task's env change stays in its worker.
  it("a task's process.env change does not reach the parent", { timeout: 20_000 }, async () => {
    const p = pool({ processes: 1, context });
    const name = `MP_NODE_POOL_BUGS_${context.toUpperCase()}`;
    expect(await p.apply(t.setEnv, [name, 'set'])).toBe('set');
    expect(process.env[name]).toBeUndefined();
  });

  // workerpool #429: process.exitCode set by a task must not end or poison the worker.
  it('a task setting process.exitCode does not end its worker', { timeout: 20_000 }, async () => {
    const p = pool({ processes: 1, context });
    const before = await p.apply(t.pid, []);
    expect(await p.apply(t.setExitCode, [3])).toBe('set');
    expect(await p.apply(t.pid, [])).toBe(before);
  });

  // piscina #304 / #344: process.exit(0) inside a task (exit code 0 is still a death mid-task).
  it('process.exit(0) inside a task rejects with WorkerCrashedError (exitCode 0); queued calls run', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const dying = p.apply(t.exitZero, []).catch((e: unknown) => e);
    const queued = Array.from({ length: 5 }, (_, i) => p.apply(t.identity, [i]));
    const error = await dying;
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect((error as WorkerCrashedError).exitCode).toBe(0);
    expect(await Promise.all(queued)).toEqual([0, 1, 2, 3, 4]);
  });

  // workerpool #498 (terminate with no task never returned), piscina #345 (destroy holds).
  it('closing with calls queued runs them all; submitting after close rejects with PoolClosedError', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const queued = Array.from({ length: 10 }, (_, i) => p.apply(t.sleep, [i]));
    p.close();
    await expect(p.apply(t.identity, [1])).rejects.toBeInstanceOf(PoolClosedError);
    await p.join();
    expect(await Promise.all(queued)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const idle = pool({ processes: 1, context });
    await idle.terminate(); // resolves with nothing running
  });
});

describe.each(['thread', 'process'] as Context[])('a worker stuck in native code, %s context', (context) => {
  // workerpool #418, tinypool #49 and #126 (a worker whose terminate() never completes): a thread
  // blocked in a synchronous call cannot be stopped until that call returns. Its aborted call
  // rejects at once, and the calls after it must not wait for that thread: a pool of one that met
  // two such tasks ran nothing more until the first one's native call returned.
  it('each call after an aborted task blocked in native code runs, with no wait for the blocked worker', {
    timeout: 60_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const dir = mkdtempSync(join(tmpdir(), 'mp-native-'));
    try {
      for (let round = 0; round < 3; round++) {
        const pidFile = join(dir, `sleeper-${round}`);
        sleepers.push(pidFile);
        const stop = new AbortController();
        const blocked = p.apply(m.nativeBlock, [pidFile], { signal: stop.signal });
        await fileWritten(pidFile);
        stop.abort();
        await expect(blocked).rejects.toMatchObject({ name: 'AbortError' });
        expect(await p.apply(t.identity, [round])).toBe(round);
      }
      const pidFile = join(dir, 'sleeper-last');
      sleepers.push(pidFile);
      const last = outcome(p.apply(m.nativeBlock, [pidFile]));
      await fileWritten(pidFile);
      await p.terminate();
      expect(await last).toEqual({ error: 'PoolClosedError' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // The same thread, as a Process target: terminate() (Python's returns at once) must not wait
  // for the native call; the thread stays alive until it returns, and join() waits for that.
  it('Process.terminate() of a target blocked in native code resolves; join() waits for its end', {
    timeout: 30_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mp-native-'));
    const pidFile = join(dir, 'sleeper');
    sleepers.push(pidFile);
    const p = new Process({ target: m.nativeBlock, args: [pidFile], context });
    try {
      p.start();
      await fileWritten(pidFile);
      await p.terminate();
      if (context === 'process') expect(p.exitCode).toBe(-15);
      else {
        expect(p.isAlive()).toBe(true);
        expect(p.exitCode).toBeNull();
        process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
        await p.join();
        expect(p.isAlive()).toBe(false);
        expect([-15, -9]).toContain(p.exitCode);
      }
    } finally {
      if (p.isAlive()) p.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // workerpool #418: a task waiting on Atomics.wait forever is stopped by its timeout too.
  it('a task blocked in Atomics.wait is stopped by its timeout; the pool runs on', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    await expect(p.apply(m.atomicsWaitForever, [], { timeout: 300 })).rejects.toBeInstanceOf(TimeoutError);
    expect(await p.apply(t.identity, ['after'])).toBe('after');
  });

  // piscina #102 (DataCloneError on a nested result), V8's serializer recursion limit: a result
  // nested deeper than a clone can go is refused by name, and the worker lives on.
  it('a result nested 100k deep rejects with SerializationError naming the path; the worker lives on', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const before = await p.apply(t.pid, []);
    const error = await p.apply(m.deep, [100_000]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SerializationError);
    expect((error as SerializationError).path).toMatch(/^result\.next\.next/);
    expect(await p.apply(t.pid, [])).toBe(before);
  });
});

// node #41673, avajs/ava #2956: process.chdir() throws in a worker thread; that is the task's error.
it("a thread task's process.chdir() rejects with Node's TypeError; the worker lives on", {
  timeout: 20_000,
}, async () => {
  const p = pool({ processes: 1, context: 'thread' });
  const before = await p.apply(t.pid, []);
  const error = await p.apply(t.chdir, [tmpdir()]).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(TypeError);
  expect(error).toMatchObject({ code: 'ERR_WORKER_UNSUPPORTED_OPERATION' });
  expect(await p.apply(t.pid, [])).toBe(before);
});

describe('Node pool bug reports, process context only', () => {
  // piscina #304 (a worker that ends mid-task), by process.abort() in a child (a thread has none).
  it('process.abort() inside a task rejects with WorkerCrashedError (SIGABRT); the next call runs', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context: 'process' });
    const error = await p.apply(t.abort, []).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect((error as WorkerCrashedError).signal).toBe('SIGABRT');
    expect(await p.apply(t.identity, [1])).toBe(1);
  });

  // rstest #1285 (a forks pool waiting on a child's IPC): a task that disconnects it must not hang its call.
  it('a task calling process.disconnect() settles, and the pool runs on', { timeout: 30_000 }, async () => {
    const p = pool({ processes: 1, context: 'process' });
    // Its channel is gone, so its result cannot come back: the call fails as a death mid-task.
    const error = await p.apply(t.disconnect, []).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect(await p.apply(t.identity, [1])).toBe(1);
  });

  // node-worker-nodes #63 (workloads that chdir need processes): a child's chdir stays in that child.
  it("a task's process.chdir() does not move the parent", { timeout: 20_000 }, async () => {
    const p = pool({ processes: 1, context: 'process' });
    const here = process.cwd();
    expect(await p.apply(t.chdir, [tmpdir()])).not.toBe(here);
    expect(process.cwd()).toBe(here);
  });

  // workerpool #331 (DataCloneError, fixed by workerType process): shared memory cannot leave a child.
  it('a SharedArrayBuffer result from a child is refused with a named error', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context: 'process' });
    const error = await p.apply(t.result, ['sab']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SerializationError);
    expect((error as SerializationError).path).toBe('result');
    expect(await p.apply(t.identity, [1])).toBe(1);
  });
});
