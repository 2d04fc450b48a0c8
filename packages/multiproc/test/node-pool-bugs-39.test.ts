// More inputs from public bug reports of Node worker pools (piscina, tinypool, workerpool, threads.js,
// poolifier, node-worker-threads-pool) and of Node's worker_threads, run against this library's Pool
// and Process in both contexts. The outcome asked is the contract's; where it is silent, Python's:
// every call settles with a named error or its value, never hangs, and no innocent call is lost.
import { getEventListeners } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessError, TimeoutError, WorkerCrashedError } from '@multiproc/multiproc';
import { afterEach, describe, expect, it } from 'vitest';
import { stuck } from './fixtures/bugs-39-import-hangs.mjs';
import { broken } from './fixtures/bugs-39-import-throws.mjs';
import { waiting } from './fixtures/bugs-39-import-waits.mjs';
import { tasks as t } from './fixtures/bugs-39-tasks.mjs';
import { CONTEXTS, fileWritten, poolsEndedAfterEach, runProgram } from './report-helpers.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const pool = poolsEndedAfterEach(); // registered last: the pools end before the folders go
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mp-bugs39-'));
  dirs.push(dir);
  return dir;
}

/** The settled outcome of a promise: its value, or the error's name. */
const outcome = (p: PromiseLike<unknown>) =>
  Promise.resolve(p).then(
    (value) => ({ value }),
    (error: Error) => ({ error: error?.name }),
  );

describe.each(CONTEXTS)('Node pool bug reports (39), %s context', (context) => {
  // piscina #1143, poolifier #2633: own fields of a thrown native Error were dropped on the way back.
  it('piscina #1143: a thrown Error or TypeError keeps its own fields', { timeout: 20_000 }, async () => {
    const p = pool({ processes: 1, context });
    const plain = await p.apply(t.throwWithFields, ['error']).catch((e: unknown) => e);
    expect(plain).toBeInstanceOf(Error);
    expect(plain).toMatchObject({ message: 'ERROR', foo: 'bar', n: 1 });
    const typed = await p.apply(t.throwWithFields, ['typeError']).catch((e: unknown) => e);
    expect(typed).toBeInstanceOf(TypeError);
    expect(typed).toMatchObject({ message: 'bad type', foo: 'bar' });
  });

  // workerpool #516 (and #496): an AxiosError (functions among its fields) came back as an empty object.
  it('workerpool #516: an error with unsendable fields keeps its name, message and sendable fields', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const error = (await p.apply(t.throwWithFields, ['axios']).catch((e: unknown) => e)) as Record<
      string,
      unknown
    >;
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      name: 'AxiosError',
      message: 'timeout of 10ms exceeded',
      code: 'ETIMEDOUT',
    });
    expect(String(error.stack)).toContain('AxiosError');
    expect(await p.apply(t.identity, ['still here'])).toBe('still here');
  });

  // piscina #934: aborting one task must not fail the unrelated calls queued beside it on that worker.
  it('piscina #934: aborting a running call leaves the calls queued with it to complete', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const dir = tempDir();
    const stop = new AbortController();
    const marker = join(dir, 'running');
    const aborted = outcome(p.apply(t.markThenSleep, [marker, 20_000], { signal: stop.signal }));
    const others = Array.from({ length: 6 }, (_, i) => outcome(p.applyAsync(t.sleep, [i])));
    await fileWritten(marker);
    stop.abort();
    expect(await aborted).toEqual({ error: 'AbortError' });
    expect(await Promise.all(others)).toEqual([0, 1, 2, 3, 4, 5].map((value) => ({ value })));
  });

  // workerpool #548: a call made right after a timeout recycled a worker was killed by that recycling.
  it('workerpool #548: a call submitted right after a timeout is not killed by the recycling', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    for (let round = 0; round < 2; round += 1) {
      const timedOut = p.apply(t.sleep, [20_000], { timeout: 100 });
      await expect(timedOut).rejects.toBeInstanceOf(TimeoutError);
      // submitted in the same turn the timeout fired
      expect(await p.apply(t.sleep, [200])).toBe(200);
    }
  });

  // tinypool #52 / #53 (cancelPendingTasks): one signal shared by many calls cancels every one of them.
  it('tinypool #52: one signal aborts the running call and every queued one; the pool runs on', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const dir = tempDir();
    const stop = new AbortController();
    const first = join(dir, 'first');
    const calls = [outcome(p.apply(t.markThenSleep, [first, 20_000], { signal: stop.signal }))];
    for (let i = 0; i < 9; i += 1)
      calls.push(outcome(p.apply(t.markThenSleep, [join(dir, `q${i}`), 10], { signal: stop.signal })));
    await fileWritten(first);
    stop.abort();
    for (const c of await Promise.all(calls)) expect(c).toEqual({ error: 'AbortError' });
    for (let i = 0; i < 9; i += 1) expect(existsSync(join(dir, `q${i}`))).toBe(false);
    expect(await p.apply(t.identity, ['after'])).toBe('after');
  });

  // threads.js #316: pool.completed() never settled once the pool was terminated.
  it('threads.js #316: a pending join() settles when the pool is terminated', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const running = outcome(p.apply(t.sleep, [20_000]));
    p.close();
    const joined = outcome(p.join());
    await p.terminate();
    expect(await joined).toEqual({ value: undefined });
    expect(await running).toEqual({ error: 'PoolClosedError' });
  });

  // workerpool #96: terminate(true) killed the running tasks, but the queued ones still started later.
  it('workerpool #96: after terminate() no queued call ever starts', { timeout: 30_000 }, async () => {
    const p = pool({ processes: 2, context });
    const dir = tempDir();
    const firsts = [join(dir, 'a'), join(dir, 'b')];
    const calls = firsts.map((f) => outcome(p.apply(t.markThenSleep, [f, 20_000])));
    for (let i = 0; i < 8; i += 1) calls.push(outcome(p.apply(t.markThenSleep, [join(dir, `q${i}`), 0])));
    await Promise.all(firsts.map(fileWritten));
    await p.terminate();
    for (const c of await Promise.all(calls)) expect(c).toEqual({ error: 'PoolClosedError' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (let i = 0; i < 8; i += 1) expect(existsSync(join(dir, `q${i}`))).toBe(false);
  });

  // threads.js #270: a task's promise awaited only after it finished (and after the pool ended) resolves.
  it('threads.js #270: results awaited long after the calls ended still resolve', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const results = [1, 2, 3, 4].map((x) => p.applyAsync(t.square, [x]));
    const mapped = p.mapAsync(t.square, [5, 6]);
    p.close();
    await p.join();
    expect(results.every((r) => r.ready())).toBe(true);
    expect(await Promise.all(results)).toEqual([1, 4, 9, 16]);
    expect(await mapped.get(1000)).toEqual([25, 36]);
  });

  // threads.js #439: a worker that fails to start (its task module throws) left the calls uncatchable.
  it('threads.js #439: a task module that throws on import rejects each call with that error as cause', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 2, context });
    const results = await Promise.all(
      [0, 1, 2].map(() => p.apply(broken.never, []).catch((e: unknown) => e)),
    );
    for (const error of results) {
      expect(error).toBeInstanceOf(ProcessError);
      expect((error as Error).cause).toMatchObject({ message: 'cannot load this module in a worker' });
    }
    expect(await p.apply(t.identity, ['the pool still runs'])).toBe('the pool still runs');
  });

  // threads.js #461: terminate() hung once a worker never finished loading ("did not receive an init message").
  it('threads.js #461: a task module whose top-level await nothing can settle fails its call (exit code 13)', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const error = await p.apply(stuck.never, []).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect((error as WorkerCrashedError).exitCode).toBe(13);
    expect(await p.apply(t.identity, ['next'])).toBe('next');
  });

  it('threads.js #461: a task module that keeps loading times out its call; terminate() resolves', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    await expect(p.apply(waiting.never, [], { timeout: 500 })).rejects.toBeInstanceOf(TimeoutError);
    expect(await p.apply(t.identity, ['next'])).toBe('next');
    const again = outcome(p.apply(waiting.never, []));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await p.terminate();
    expect(await again).toEqual({ error: 'PoolClosedError' });
  });

  // CPython PR #101081 / workerpool: a thrown value that is not an Error must still settle its call.
  it.each(['string', 'number', 'null', 'undefined', 'object'])(
    'a task throwing a non-Error %s rejects with that value; the pool runs on',
    { timeout: 20_000 },
    async (kind) => {
      const p = pool({ processes: 1, context });
      const expected = {
        string: 'plain string',
        number: 42,
        null: null,
        undefined: undefined,
        object: { code: 7 },
      }[kind];
      const reason = await p.apply(t.throwValue, [kind]).then(
        () => 'resolved',
        (e: unknown) => ({ rejected: e }),
      );
      expect(reason).toEqual({ rejected: expected });
      expect(await p.apply(t.identity, [kind])).toBe(kind);
    },
  );

  // node #47224: a worker growing strings past its resourceLimits took the whole process down.
  it('node #47224: a worker out of memory from string growth rejects with WorkerCrashedError', {
    timeout: 60_000,
  }, async () => {
    const young = context === 'thread' ? { maxYoungGenerationSizeMb: 16 } : {};
    const p = pool({ processes: 1, context, resourceLimits: { maxOldGenerationSizeMb: 64, ...young } });
    const error = await p.apply(t.growStrings, []).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect(await p.apply(t.identity, [1])).toBe(1);
  });

  // poolifier #3211 / pebble #69: a worker dying mid-imap must end the iteration, not leave it waiting.
  it('pebble #69: imap whose worker dies yields the results before it, then rejects with WorkerCrashedError', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 2, context });
    const seen: number[] = [];
    const error = await (async () => {
      for await (const v of p.imap(t.exitAt5, [0, 1, 2, 3, 4, 5, 6, 7], { chunksize: 1 }))
        seen.push(v as number);
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerCrashedError);
    expect((error as WorkerCrashedError).exitCode).toBe(9);
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expect(await p.apply(t.identity, ['after'])).toBe('after');
  });
});

describe.each(CONTEXTS)('Node pool bookkeeping and IPC reports (39), %s context', (context) => {
  // piscina #1029: queueSize stayed 0 for calls submitted with an AbortSignal.
  it('piscina #1029: stats() counts calls with a signal as queued, and as failed once aborted', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    await p.apply(t.identity, [0]);
    const stop = new AbortController();
    const dir = tempDir();
    const first = join(dir, 'first');
    const calls = [outcome(p.apply(t.markThenSleep, [first, 20_000], { signal: stop.signal }))];
    for (let i = 0; i < 9; i += 1) calls.push(outcome(p.apply(t.sleep, [20_000], { signal: stop.signal })));
    await fileWritten(first);
    expect(p.stats()).toMatchObject({ busy: 1, queued: 9, completed: 1, failed: 0 });
    stop.abort();
    await Promise.all(calls);
    expect(p.stats()).toMatchObject({ busy: 0, queued: 0, completed: 1, failed: 10 });
  });

  // piscina #816 / #818: the idle timer could end a worker a task had just been posted to.
  it('piscina #816: with a 2 ms idleTimeout, calls made around its expiry all complete', {
    timeout: 60_000,
  }, async () => {
    const p = pool({ processes: 2, minProcesses: 0, idleTimeout: 2, context });
    const rounds = context === 'thread' ? 10 : 5;
    for (let i = 0; i < rounds; i += 1) {
      expect(await p.apply(t.identity, [i])).toBe(i);
      await new Promise((resolve) => setTimeout(resolve, i % 4));
    }
  });

  // node #34797 / #55834: a burst of messages over an 'advanced' IPC channel, sender exiting at once,
  // crashed or stalled the receiver; here every message arrives, in order, before the call settles.
  it('node #34797: 8k messages of mixed sizes from a task, then process.exit(0), all arrive in order', {
    timeout: 60_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const seen: unknown[] = [];
    const settled = await outcome(p.apply(t.flood, [8_000, true], { onMessage: (m) => seen.push(m) }));
    expect(settled).toEqual({ error: 'WorkerCrashedError' });
    expect(seen.length).toBe(8_000);
    expect(seen.every((m, i) => (typeof m === 'number' ? m : (m as { i: number }).i) === i)).toBe(true);
    expect(await p.apply(t.identity, ['after'])).toBe('after');
  });

  // p-retry #71, node #47449: one long-lived signal passed to many calls collected abort listeners
  // (MaxListenersExceededWarning); each call must remove its own once it settles.
  it('p-retry #71: a signal shared by 100 calls holds no abort listener once they settled; no warning', {
    timeout: 30_000,
  }, async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const p = pool({ processes: 2, context });
      const { signal } = new AbortController();
      for (let i = 0; i < 20; i += 1) await p.apply(t.identity, [i], { signal });
      await Promise.all(Array.from({ length: 40 }, (_, i) => p.applyAsync(t.identity, [i], { signal })));
      await p.map(t.square, [1, 2, 3, 4, 5, 6], { chunksize: 1, signal });
      for await (const v of p.imap(t.square, [1, 2, 3], { signal })) void v;
      await Promise.all(
        Array.from({ length: 40 }, (_, i) => p.apply(t.identity, [i], { signal, timeout: 10_000 })),
      );
      expect(getEventListeners(signal, 'abort')).toEqual([]);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  // node #36268: a child's message over 219262 bytes did not reliably reach its parent.
  it('node #36268: results of 219262 to 219266 characters all come back whole', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const sizes = [219_262, 219_263, 219_264, 219_265, 219_266];
    const results = await Promise.all(sizes.map((n) => p.apply(t.text, [n])));
    expect(results.map((r) => r.length)).toEqual(sizes);
  });
});

// node #61312: a malformed frame on an 'advanced' IPC channel crashed the parent process.
it('node #61312: a child task writing a malformed frame to its IPC channel fails alone; the pool runs on', {
  timeout: 30_000,
}, async () => {
  const p = pool({ processes: 1, context: 'process' });
  const error = await p.apply(t.junkOnChannel, []).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(WorkerCrashedError);
  expect(await p.apply(t.text, [3])).toBe('bbb');
});

/** Runs bugs-39-program.mjs with `args` (and node `flags`). */
const program = (args: string[], flags: string[] = []) => runProgram('bugs-39-program.mjs', args, flags);

describe.each(CONTEXTS)('Node worker whole-program reports (39), %s context', (context) => {
  // node #40961: only the first of several console.log calls before process.exit() in a worker appeared.
  it('node #40961: every line a Process target logs before process.exit(0) is printed', {
    timeout: 40_000,
  }, async () => {
    const { code, stdout } = await program(['log-then-exit', context]);
    expect(code).toBe(0);
    expect(stdout.split('\n').filter((l) => l.startsWith('worker line'))).toEqual(
      Array.from({ length: 50 }, (_, i) => `worker line ${i + 1}`),
    );
    expect(stdout).toContain('EXIT 0');
  });

  // node #30531 (process.argv for workers), node #37410 (flags and env changed at run time not seen):
  // a worker starts with the program's arguments, its Node flags, and the env as it is when started.
  it('node #30531: workers see the program arguments, its Node flags and an env var set at run time', {
    timeout: 40_000,
  }, async () => {
    const { code, stdout } = await program(
      ['started-with', context, '--mode=fast', 'x'],
      ['--no-warnings', '--stack-size=2000'],
    );
    expect(code).toBe(0);
    const { seen, argv, execArgv } = JSON.parse(stdout);
    expect(seen).toEqual({ argv, execArgv, env: 'set at run time' });
    expect(argv).toEqual(['started-with', context, '--mode=fast', 'x']);
    expect(execArgv).toEqual(['--no-warnings', '--stack-size=2000']);
  });
});
