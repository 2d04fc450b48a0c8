// Public bug reports of Node's worker pools (piscina, tinypool, workerpool, threads.js, poolifier,
// vitest's pools and others built on worker_threads and child_process) not covered by the earlier
// report files: each test names its report and what went wrong there, and asserts what multiproc
// does instead, against real threads and child processes, in both contexts. Like the other report
// files it runs in the full tier (`MULTIPROC_TESTS=full`, see vitest.config.ts); the faults it found
// (a post structured clone refused, memory two calls move()d) have their CI tests in core
// (pool-refused-post.test.ts).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ClosedError,
  move,
  PoolClosedError,
  Process,
  ProcessError,
  QueueFullError,
  Value,
} from '@multiproc/multiproc';
import { afterAll, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { tasks as t } from './fixtures/bugs-45-tasks.mjs';
import { alive, fileWritten, poolsEndedAfterEach, sleep } from './report-helpers.ts';

const pool = poolsEndedAfterEach();
const scratch = mkdtempSync(join(tmpdir(), 'bugs-45-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The settled outcome of a promise: its value, or the error's name. */
const outcome = (p: PromiseLike<unknown>) =>
  Promise.resolve(p).then(
    (value) => ({ value }),
    (error: Error) => ({ error: error?.name }),
  );

/** Polls `check` every 20 ms until it is true or `ms` passed; resolves with its last answer. */
async function eventually(check: () => boolean, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await sleep(20);
  return check();
}

describe.each(matrix(import.meta.url))('Node pool bug reports (45), %s context', (context) => {
  // vitest #10590: a worker that died mid-task on a runner's second task (not its first) left that
  // task pending forever, the error listener being bound only to the first task.
  it('vitest #10590: a worker dying on a later task, after it completed others, rejects that call', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    for (let i = 0; i < 3; i++) expect(await p.apply(t.identity, [i])).toBe(i);
    expect(await outcome(p.apply(t.exitNow, [3]))).toEqual({ error: 'WorkerCrashedError' });
    expect(await p.apply(t.identity, ['after'])).toBe('after');
  });

  // vitest #10964: a pipe error that raced the worker's exit let queued files go to the dead runner
  // and vanish from the report.
  it('vitest #10964: calls submitted while a worker is exiting all settle, each exactly once', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    await p.apply(t.identity, [0]);
    const fatal = outcome(p.apply(t.exitAfter, [20, 1]));
    const others: Promise<unknown>[] = [];
    for (let i = 0; i < 20; i++) {
      others.push(p.apply(t.identity, [i]));
      if (i % 5 === 4) await sleep(10); // some before the exit, some in its window, some after
    }
    expect(await fatal).toEqual({ error: 'WorkerCrashedError' });
    expect(await Promise.all(others)).toEqual([...Array(20).keys()]);
  });

  // hyperframes #1132: a call sent to a worker that had just died (postMessage to a dead worker is a
  // silent no-op) never settled; graphile/worker #592: when every worker died at once, the pool
  // stayed active with no workers and nothing ran again.
  it('hyperframes #1132, graphile/worker #592: after every worker crashed at once, calls made in the rejection handler run', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 3, context });
    const next = await Promise.all(
      [1, 2, 3].map((i) =>
        p.apply(t.exitAfter, [50, i]).then(
          () => 'no crash',
          (error: Error) => p.apply(t.identity, [`${error.name} ${i}`]),
        ),
      ),
    );
    expect(next).toEqual(['WorkerCrashedError 1', 'WorkerCrashedError 2', 'WorkerCrashedError 3']);
    expect(await p.map(t.identity, [1, 2, 3, 4, 5, 6])).toEqual([1, 2, 3, 4, 5, 6]);
  });

  // tunarr #2090: a pooled task that timed out left its worker spinning and busy; the tasks queued
  // behind it never settled, and shutdown after a replacement could start further workers.
  it('tunarr #2090: calls queued behind a timed-out spinning task complete; terminate() leaves no worker', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const spinning = outcome(p.apply(t.spin, [], { timeout: 300 }));
    const queued = [p.apply(t.identity, ['b']), p.apply(t.identity, ['c'])];
    expect(await spinning).toEqual({ error: 'TimeoutError' });
    expect(await Promise.all(queued)).toEqual(['b', 'c']);
    await p.terminate();
    await sleep(100);
    expect(p.stats().workers).toBe(0);
  });

  // angular-cli #26073: destroying a piscina pool re-created its minimum workers, only to drop them.
  it('angular-cli #26073: terminate() of a pool with minProcesses starts no worker again', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 2, minProcesses: 2, context });
    const who = new Set(await Promise.all([1, 2, 3, 4].map(() => p.apply(t.whoAmI, []))));
    await p.terminate();
    await sleep(300);
    expect(p.stats().workers).toBe(0);
    if (context === 'process') {
      for (const id of who) expect(alive(Number(id.split(':')[0]))).toBe(false);
    }
  });

  // piscina #316 (and the "out of scope asynchronous code" it documented in #342): piscina paused a
  // worker between calls, so a timer a task left behind ran only on the worker's next call.
  it('piscina #316: a timer a task leaves behind fires while its worker idles, not on the next call', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const file = join(scratch, `late-${context}`);
    expect(await p.apply(t.leaveTimer, [file, 100])).toBe('returned');
    await fileWritten(file); // bounded by the test's timeout; no other call is made
    expect(readFileSync(file, 'utf8')).toBe('late');
  });

  // workerpool #476: cancelling a task after it had completed terminated its worker, killing the
  // next queued task ("Worker is terminated").
  it('workerpool #476: aborting a signal after its call completed leaves the worker and the next call alone', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const controller = new AbortController();
    const first = await p.apply(t.whoAmI, [], { signal: controller.signal });
    const next = p.apply(t.sleep, [200]);
    controller.abort();
    expect(await next).toBe(200);
    expect(await p.apply(t.whoAmI, [])).toBe(first);
    expect(p.stats().failed).toBe(0);
  });

  // piscina #868: with maxQueue, the pool reported it needed draining only after the calls over the
  // limit had already failed; piscina #796: a producer waiting for 'drain' waited forever.
  it('piscina #868: past maxQueue the first call over the limit throws QueueFullError at once', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, maxQueue: 2, context });
    await p.apply(t.identity, [0]); // the worker is ready and idle
    const accepted = [
      p.applyAsync(t.sleep, [300]),
      p.applyAsync(t.identity, [1]),
      p.applyAsync(t.identity, [2]),
    ];
    expect(() => p.applyAsync(t.identity, [3])).toThrow(QueueFullError);
    expect(await Promise.all(accepted)).toEqual([300, 1, 2]);
    expect(await p.apply(t.identity, [4])).toBe(4);
  });

  it('piscina #796: apply() calls waiting on a full queue all run once it drains', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, maxQueue: 1, context });
    const calls = [...Array(12).keys()].map((i) => p.apply(t.identity, [i]));
    expect(await Promise.all(calls)).toEqual([...Array(12).keys()]);
    expect(p.stats().queued).toBe(0);
  });

  // threads.js #268: after the pool sat idle, a queued task was stuck on a worker that never answered.
  it('threads.js #268: after idle workers retired (idleTimeout), the next calls start new ones and run', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 2, minProcesses: 0, idleTimeout: 100, context });
    expect(await p.map(t.identity, [1, 2, 3, 4])).toEqual([1, 2, 3, 4]);
    expect(await eventually(() => p.stats().workers === 0)).toBe(true);
    expect(await p.map(t.identity, [5, 6, 7, 8])).toEqual([5, 6, 7, 8]);
  });

  // opencrvs #7254 (tinypool in vitest): "Unexpected message from Worker: { result: undefined, error: null }".
  it('opencrvs #7254: 200 calls whose task returns undefined all resolve to undefined', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 2, context });
    const results = await Promise.all([...Array(200)].map(() => p.applyAsync(t.nothing, [])));
    expect(results.every((r) => r === undefined)).toBe(true);
    expect(await p.map(t.nothing, [...Array(50).keys()], { chunksize: 7 })).toEqual(
      Array(50).fill(undefined),
    );
  });

  // ITK-Wasm #364: runTasks called many times in a row with small tasks gave a worker up and a
  // promise never resolved.
  it('ITK-Wasm #364: 150 rounds of small map calls in a row each resolve', { timeout: 30_000 }, async () => {
    const p = pool({ processes: 2, context });
    for (let round = 0; round < 150; round++) {
      expect(await p.map(t.identity, [round, round + 1, round + 2])).toEqual([round, round + 1, round + 2]);
    }
  });

  // OpenFn/kit #668: after uncaught exceptions the child-process pool kept its crashed workers
  // counted as busy, and after a few the pool choked: no new work was taken.
  it('OpenFn/kit #668: repeated uncaught exceptions mid-task never choke the pool', {
    timeout: 30_000,
  }, async () => {
    const p = pool({ processes: 2, context });
    for (let i = 0; i < 3; i++) {
      const failed = await Promise.all([1, 2].map(() => outcome(p.apply(t.uncaughtMidTask, []))));
      expect(failed).toEqual([{ error: 'WorkerCrashedError' }, { error: 'WorkerCrashedError' }]);
    }
    expect(await p.map(t.identity, [1, 2, 3, 4])).toEqual([1, 2, 3, 4]);
  });

  // workerpool #343: terminate() threw "Cannot read properties of undefined (reading 'push')" when
  // it ran while the pool was already ending (Ctrl+C during a run).
  it('workerpool #343: terminate() twice at once, after close() and beside join(), all resolve', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 2, context });
    const running = [outcome(p.apply(t.sleep, [5000])), outcome(p.apply(t.sleep, [5000]))];
    const queued = outcome(p.apply(t.identity, [1]));
    await sleep(100);
    p.close();
    const ends = await Promise.allSettled([p.join(), p.terminate(), p.terminate()]);
    expect(ends.map((e) => e.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    expect(await Promise.all(running)).toEqual([{ error: 'PoolClosedError' }, { error: 'PoolClosedError' }]);
    expect(await queued).toEqual({ error: 'PoolClosedError' });
  });

  // workerpool #274: the "Worker terminated" rejection was a plain Error, impossible to tell apart;
  // tarn.js #87: a call made after the pool was destroyed waited out its timeout instead of failing.
  it('workerpool #274, tarn.js #87: a call after terminate() rejects at once with PoolClosedError, a class with a code', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const running = p.apply(t.sleep, [5000]).catch((e: unknown) => e);
    await sleep(50);
    await p.terminate();
    const error = await running;
    expect(error).toBeInstanceOf(PoolClosedError);
    expect(error).toBeInstanceOf(ClosedError);
    expect(error).toBeInstanceOf(ProcessError);
    expect(typeof (error as ProcessError).code).toBe('string');
    const started = performance.now();
    const late = await p.apply(t.identity, [1], { timeout: 10_000 }).catch((e: unknown) => e);
    expect(late).toBeInstanceOf(PoolClosedError);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  // poolifier-web-worker #49: tasks that returned or threw at once left timers behind in the pool.
  it('poolifier-web-worker #49: calls that return or throw at once leave no timer or handle once the pool ended', {
    timeout: 20_000,
  }, async () => {
    const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const p = pool({ processes: 2, context });
    const calls = [...Array(60).keys()].map((i) =>
      outcome(i % 2 ? p.apply(t.throwNow, [`no ${i}`]) : p.apply(t.identity, [i])),
    );
    const settled = await Promise.all(calls);
    expect(settled.filter((s) => 'error' in s)).toHaveLength(30);
    await p.terminate();
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    expect(await eventually(() => timers() <= before)).toBe(true);
  });

  // rstest #1306: a worker's large error envelope was dropped on its way to the host, which then
  // reported only "Worker exited unexpectedly" with no message or stack.
  it('rstest #1306: an error with a 512 KiB message and field comes back whole, with its stack', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const error = (await p.apply(t.throwBig, [512 * 1024]).catch((e: unknown) => e)) as Error & {
      detail: string;
    };
    expect(error.message).toHaveLength(512 * 1024);
    expect(error.detail).toHaveLength(512 * 1024);
    expect(error.stack).toMatch(/bugs-45-tasks\.mjs/);
    expect(await p.apply(t.identity, ['next'])).toBe('next');
  });

  // piscina #58, #155: a buffer a task returned with move() was cloned, or not sent at all.
  it('piscina #58: a result returned with move() comes back whole', { timeout: 20_000 }, async () => {
    const p = pool({ processes: 1, context });
    const back = await p.apply(t.movedResult, [1 << 20, 7]);
    expect(back).toBeInstanceOf(Uint8Array);
    expect(back.byteLength).toBe(1 << 20);
    expect(back[0]).toBe(7);
    expect(back[(1 << 20) - 1]).toBe(7);
  });

  // piscina #276: buffers moved from inside nested objects, and how they map back to their places.
  it('piscina #276: views moved from inside a nested argument arrive in their places', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const b = new Uint8Array([1, 2, 3]);
    const c = new Uint8Array([4, 5]);
    const got = await p.apply(t.nestedBytes, [{ a: { b: move(b) }, c: move(c) }]);
    expect(got).toEqual({ b: [1, 2, 3], c: [4, 5], same: false });
    // Moved from a thread's caller; copied to a child process, where the caller keeps its bytes.
    expect(b.byteLength).toBe(context === 'thread' ? 0 : 3);
  });

  // node #25786: a duplicate object in postMessage's transferList crashed the process (a fatal
  // error for a duplicate ArrayBuffer).
  it('node #25786: the same view moved twice in one call arrives once, as one object', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const bytes = new Uint8Array([9, 8, 7]);
    const got = await p.apply(t.twice, [move(bytes), move(bytes)]);
    expect(got).toEqual({ same: true, x: [9, 8, 7], y: [9, 8, 7] });
    const other = new Uint8Array([1, 2]);
    const halves = [move(other.subarray(0, 1)), move(other.subarray(1))]; // two views of one buffer
    expect(await p.apply(t.twice, halves as [Uint8Array, Uint8Array])).toEqual({
      same: false,
      x: [1],
      y: [2],
    });
  });

  // node #51919: transferring an ArrayBuffer already detached throws a DataCloneError.
  it('node #51919: moving a buffer that was already moved rejects the call; the pool runs on', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const bytes = new Uint8Array([1, 2, 3]);
    expect(await p.apply(t.bytesOf, [move(bytes)])).toEqual([1, 2, 3]);
    const again = p.apply(t.bytesOf, [move(bytes)]);
    if (context === 'thread') {
      // Detached by the first call: an empty view, sent as the empty view it now is, or refused.
      const got = await outcome(again);
      expect(got).toSatisfy(
        (o: { value?: unknown; error?: string }) =>
          (Array.isArray(o.value) && o.value.length === 0) || o.error === 'SerializationError',
      );
    } else {
      expect(await again).toEqual([1, 2, 3]); // copied to a child: the caller kept its bytes
    }
    expect(await p.apply(t.identity, ['next'])).toBe('next');
  });

  // node #51919 again, the other way round: one buffer move()d by two calls made in one turn. The
  // second was checked when nothing was moved yet and was posted after the first had moved the
  // memory: on Node 20 the worker could not read it and the call (and, with one worker, every call
  // behind it) never settled; on Node 22 it failed with "Cannot transfer object of unsupported type"
  // and took the next call, posted to the same worker, with it.
  it('node #51919: one buffer moved by two calls in one turn: the second rejects, naming it; the rest run', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    await p.apply(t.identity, [0]);
    const bytes = new Uint8Array([6, 7]);
    const first = p.apply(t.bytesOf, [move(bytes)]);
    const second = p.apply(t.identity, [{ data: move(bytes) }]).catch((e: unknown) => e);
    const after = p.apply(t.identity, ['after']);
    expect(await first).toEqual([6, 7]);
    if (context === 'thread') {
      const error = (await second) as Error & { path?: string };
      expect(error.name).toBe('SerializationError');
      expect(error.message).toContain('args[0].data');
      expect(error.message).toContain('already moved');
    } else expect(await second).toEqual({ data: new Uint8Array([6, 7]) }); // copied: the caller kept its bytes
    expect(await after).toBe('after');
    const items = [new Uint8Array([1]), new Uint8Array([2])];
    const twice = [move(items[0]!), move(items[1]!), move(items[0]!)];
    const mapped = await p.map(t.bytesOf, twice, { chunksize: 1 }).catch((e: Error) => e.message);
    if (context === 'thread') expect(mapped).toMatch(/items\[2\].*already moved/);
    else expect(mapped).toEqual([[1], [2], [1]]);
  });

  // Found probing node #51919 (a post that structured clone refuses): a fresh pool's first call
  // whose argument the codec passes but structured clone refuses (a Proxy) failed, and every call
  // queued behind it waited for good (tinypool posts its queue to a worker only as one answers).
  it('node #51919: a first call with a Proxy argument fails alone; the calls queued behind it run', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const refused = outcome(p.apply(t.identity, [new Proxy({ a: 1 }, {})]));
    const behind = [1, 2, 3].map((i) => p.apply(t.identity, [i]));
    expect(await refused).toEqual({ error: 'SerializationError' });
    expect(await Promise.all(behind)).toEqual([1, 2, 3]);
  });

  // threads.js #385: a buffer moved to a worker could not be moved back and used again.
  it('threads.js #385: a buffer moved in, written to and moved back holds the write', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const back = await p.apply(t.mutateAndReturn, [move(new Uint8Array([1, 2, 3]))]);
    expect(Array.from(back)).toEqual([88, 2, 3]);
  });

  // tinypool #26: movables in the data a worker starts with were not supported.
  it('tinypool #26: a buffer moved as a Process argument reaches its target', {
    timeout: 20_000,
  }, async () => {
    const bytes = new Uint8Array(64 * 1024).fill(3);
    const proc = new Process({ target: t.bytesOf, args: [move(bytes)], context });
    proc.start();
    await proc.join(15_000);
    expect(proc.exitCode).toBe(0);
    expect(bytes.byteLength).toBe(context === 'thread' ? 0 : 64 * 1024);
  });
});

// The same refusal, posted as a thread worker's first batch (which also carries the channel the
// worker reports its progress on): the next call, posted to that worker in the same turn, went
// without that channel and failed in the worker ("Cannot read properties of undefined").
it("node #51919: a refused call on a thread worker's first batch does not fail the next call", {
  timeout: 20_000,
}, async () => {
  const p = pool({ processes: 2, context: 'thread' });
  await p.apply(t.identity, [0]); // one worker has its channel; the other has run nothing yet
  await sleep(300);
  const busy = p.apply(t.sleep, [300]);
  const refused = outcome(p.apply(t.identity, [new Proxy({ a: 1 }, {})]));
  const next = [p.apply(t.identity, [1]), p.apply(t.identity, [2])];
  expect(await refused).toEqual({ error: 'SerializationError' });
  expect(await Promise.all([busy, ...next])).toEqual([300, 1, 2]);
});

// threads.js #413: one SharedArrayBuffer for every worker of a pool.
describe('threads.js #413: one shared Value for every worker of a pool', () => {
  it('thread context: 40 lock-protected increments from every worker add up', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 3, context: 'thread' });
    const v = new Value('i', 0);
    const threads = await p.starmap(
      t.increment,
      [...Array(40)].map(() => [v] as [typeof v]),
      { chunksize: 1 },
    );
    expect(v.value).toBe(40);
    expect(threads.every((id) => id > 0)).toBe(true); // each ran in a worker thread, on the same memory
  });

  it('process context: the call rejects with ContextError naming the argument', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context: 'process' });
    const error = (await p.apply(t.increment, [new Value('i', 0)]).catch((e: unknown) => e)) as Error;
    expect(error.name).toBe('ContextError');
    expect(error.message).toContain('args[0]');
  });
});

// piscina #442, #320: memory and threads grew with each pool made and destroyed.
describe.each(matrix(import.meta.url))(
  'piscina #442: pools made and ended in turn, %s context',
  (context) => {
    it('leave no worker, child process or handle behind', { timeout: 30_000 }, async () => {
      const threads = () => Number(/Threads:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);
      const handles = () => process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap').length;
      const warm = pool({ processes: 2, context }); // Node's own lazily started threads, once
      await warm.map(t.identity, [1, 2]);
      await warm.terminate();
      await sleep(200);
      const baseThreads = threads();
      const baseHandles = handles();
      const pids = new Set<number>();
      for (let i = 0; i < 5; i++) {
        const p = pool({ processes: 2, context });
        for (const who of await p.map(t.whoAmI, [1, 2, 3, 4])) pids.add(Number(who.split(':')[0]));
        await p.terminate();
      }
      expect(await eventually(() => threads() <= baseThreads, 10_000)).toBe(true);
      expect(await eventually(() => handles() <= baseHandles, 10_000)).toBe(true);
      if (context === 'process') {
        pids.delete(process.pid);
        expect(pids.size).toBeGreaterThanOrEqual(5);
        expect([...pids].filter(alive)).toEqual([]);
      }
    });
  },
);

// vitest #8800: `vitest run | head -3`: the parent died of the closed pipe and its forked workers
// stayed behind, each holding gigabytes.
describe('vitest #8800: a program that dies on a closed stdout pipe', () => {
  it('leaves none of its pool child processes running', { timeout: 40_000 }, async () => {
    const file = fileURLToPath(new URL('./fixtures/bugs-45-program.mjs', import.meta.url));
    const child = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    try {
      expect(await eventually(() => stderr.includes('PIDS'), 20_000)).toBe(true);
      const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(child.pid)], { encoding: 'utf8' })
        .split('\n')
        .map(Number)
        .filter((pid) => pid > 0);
      expect(children.length).toBeGreaterThanOrEqual(2);
      await new Promise((resolve) => child.stdout.once('data', resolve));
      child.stdout.destroy(); // `| head`: the reader goes away
      await exited;
      expect(await eventually(() => children.every((pid) => !alive(pid)), 10_000)).toBe(true);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
