// Public bug reports of Node's worker pools (piscina, tinypool, workerpool, threads.js, poolifier,
// and other task pools built on worker_threads and child_process) and of Python's multiprocessing
// that the earlier report files do not cover. Each case names its report, says in a line what went
// wrong there, and asserts what the contract (or, where it is silent, Python's fixed behaviour) says
// must happen instead, against real threads and child processes. Like the other report files it
// runs in the full tier (`MULTIPROC_TESTS=full`, both contexts; see vitest.config.ts); the fault
// it found (a map waiting for room under maxQueue ignored its timeout and signal) has its CI tests
// in core (pool-specifics.test.ts).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  Barrier,
  BoundedSemaphore,
  BrokenBarrierError,
  Event,
  Lock,
  LockError,
  PoolClosedError,
  Process,
  ProcessError,
  Queue,
  Semaphore,
  SerializationError,
  SharedArray,
  ValidationError,
  Value,
  WorkerCrashedError,
} from '@multiproc/multiproc';
import { describe, expect, it } from 'vitest';
import { tasks as t } from './fixtures/bugs-49-tasks.mjs';
import { eventually, lines, rejection, reportSuite, sleep } from './report-helpers.ts';

const { CONTEXTS, pool, scratchFile } = reportSuite(import.meta.url, 'bugs-49-');
/** Runs fixtures/bugs-49-program.mjs with `args` and extra environment `env`. */
function runProgram(args: string[], env: NodeJS.ProcessEnv) {
  const file = fileURLToPath(new URL('./fixtures/bugs-49-program.mjs', import.meta.url));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    execFile(
      process.execPath,
      [file, ...args],
      { timeout: 30_000, env: { ...process.env, ...env } },
      (err, stdout, stderr) => {
        if (err?.killed) reject(new Error(`the program did not end: ${stdout} ${stderr}`));
        else resolve({ code: err ? (err.code as number) : 0, stdout, stderr });
      },
    );
  });
}

describe.each(CONTEXTS)('bug reports (49), %s context', (context) => {
  // supercharge/promise-pool#18: a task that rejected with `undefined` broke the pool's error
  // collection (`error.message` of undefined).
  it('supercharge/promise-pool#18: a task rejecting with undefined rejects the call, and the pool goes on', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    // As in JavaScript, the call rejects with the very value thrown (Python cannot raise None).
    const err = await rejection(p.apply(t.rejectUndefined, []));
    expect(err).toBeUndefined();
    expect(await p.apply(t.identity, [1])).toBe(1);
  });

  // piscina#513: an error thrown from vm code (another realm) made run() resolve to null.
  it('piscina#513: an error thrown in another realm (vm) rejects the call with its class and message', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const err = await rejection(p.apply(t.throwFromVm, []));
    expect(err.name).toBe('RangeError');
    expect(err.message).toBe('from the vm');
  });

  // bullmq#2813: a sandboxed job that threw an error holding a circular reference failed with
  // "Converting circular structure to JSON" instead of the job's error.
  it('bullmq#2813: an error with circular fields rejects with that error, its cycle kept', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const err = (await rejection(p.apply(t.throwCircular, []))) as Error & {
      self?: unknown;
      data?: { self?: unknown; name?: string };
    };
    expect(err.name).toBe('Error');
    expect(err.message).toBe('circular');
    expect(err.data?.name).toBe('data');
    expect(err.data?.self).toBe(err.data);
    expect(await p.apply(t.identity, ['next'])).toBe('next');
  });

  // threads.js#233 (and stlite#638): an error holding a value structured clone refuses could not
  // be posted back, so the caller never saw it.
  it('threads.js#233: an error with a function field still rejects with its name, message and code', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const err = (await rejection(p.apply(t.throwWithFunction, []))) as Error & { code?: string };
    expect(err.message).toBe('has a function');
    expect(err.code).toBe('E_FN');
    expect(err).not.toBeInstanceOf(SerializationError);
  });

  // uqfoundation/multiprocess#33: an exception class whose constructor takes other arguments than
  // its message could not be rebuilt in the parent and Pool.map hung.
  it('uqfoundation/multiprocess#33: an error class with a two-argument constructor rejects map, no hang', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 2, context });
    const err = (await rejection(p.map(t.throwTwoArg, [[], []] as never))) as Error & { left?: string };
    expect(err.name).toBe('TwoArgError');
    expect(err.message).toBe('a and b');
    expect(err.left).toBe('a');
  });

  // poolifier#2633: the worker's error reached the caller changed (a new Error with only the message).
  it('poolifier#2633: a worker error arrives unchanged: code, own fields and cause', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const err = (await rejection(p.apply(t.throwRich, []))) as Error & { code?: string; details?: unknown };
    expect(err.message).toBe('rich');
    expect(err.code).toBe('E_RICH');
    expect(err.details).toEqual({ id: 7, tags: ['x'] });
    expect(err.cause).toBeInstanceOf(TypeError);
    expect((err.cause as Error).message).toBe('inner');
    expect(err.stack).toContain('throwRich');
  });

  // ipython#13653: pool.map with an item whose call raises hung for good.
  it('ipython#13653: map with one failing item rejects with that error, and the pool is usable after', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 2, context });
    const err = await rejection(p.map(t.inverse, [1, 2, 0, 4]));
    expect(err).toBeInstanceOf(RangeError);
    expect(await p.map(t.inverse, [1, 2, 4])).toEqual([1, 0.5, 0.25]);
  });

  // bazel-cc-sysroot-generator#8: SystemExit (an exit with status 0) inside apply_async hung the
  // pool for good. piscina#304 is the same with a non-zero code.
  it('bazel-cc-sysroot-generator#8: a task that exits with code 0 rejects with WorkerCrashedError (exitCode 0)', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const err = (await rejection(p.apply(t.exitZero, []))) as WorkerCrashedError;
    expect(err).toBeInstanceOf(WorkerCrashedError);
    expect(err.exitCode).toBe(0);
    expect(await p.apply(t.identity, ['after'])).toBe('after');
  });

  // hono#5413 (its concurrent pool): a task that threw never gave its slot back, so with one slot
  // every later task waited for good; a queued task that failed never settled.
  it('hono#5413: with one worker, a failing task frees it; a queued failing task rejects too', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const first = rejection(p.apply(t.inverse, [0]));
    const queuedFail = rejection(p.apply(t.inverse, [0]));
    const probe = p.apply(t.identity, ['probe']);
    expect((await first).message).toBe('division by zero');
    expect((await queuedFail).message).toBe('division by zero');
    expect(await probe).toBe('probe');
  });

  // p-queue#168: aborting the running task and a waiting one at the same moment left the queue
  // stuck with one pending task, so nothing ran any more.
  it('p-queue#168: aborting the running and a waiting call at once leaves the pool working', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    await p.apply(t.identity, [0]);
    const first = new AbortController();
    const second = new AbortController();
    const running = rejection(p.apply(t.sleep, [30_000], { signal: first.signal }));
    const waiting = rejection(p.apply(t.sleep, [30_000], { signal: second.signal }));
    await sleep(50);
    first.abort();
    second.abort();
    expect((await running).name).toBe('AbortError');
    expect((await waiting).name).toBe('AbortError');
    expect(await p.apply(t.identity, ['after'])).toBe('after');
  });

  // p-queue#241: a call whose signal was already aborted, added while the queue was at capacity,
  // never settled. Here, with maxQueue: an awaited map behind a full queue used to wait for room
  // before it looked at its signal or timeout (fixed: both end the wait, the call never runs).
  it('p-queue#241: with maxQueue full, a map with an aborted signal or a passed timeout rejects while it waits', {
    timeout: 20_000,
  }, async () => {
    const file = scratchFile();
    const p = pool({ processes: 1, maxQueue: 1, context });
    const running = p.apply(t.sleep, [1500]);
    await eventually(() => p.stats().busy === 1);
    const queued = p.applyAsync(t.identity, ['queued']);
    const aborted = rejection(p.map(t.identity, ['aborted'], { signal: AbortSignal.abort() }));
    const timedOut = rejection(p.starmap(t.mark, [[file, 'late']], { timeout: 50 }));
    const settled = await Promise.race([
      Promise.all([aborted, timedOut]),
      sleep(1000).then(() => 'still waiting'),
    ]);
    expect(settled).not.toBe('still waiting');
    const [abortErr, timeoutErr] = settled as Error[];
    expect(abortErr?.name).toBe('AbortError');
    expect(timeoutErr?.name).toBe('TimeoutError');
    expect(await running).toBe(1500);
    expect(await queued).toBe('queued');
    expect(await p.map(t.identity, ['after'])).toEqual(['after']);
    expect(lines(file)).toEqual([]);
  });

  // piscina#1029: queueSize read 0 while calls with an AbortSignal waited (they sat in a second
  // queue it did not count).
  it('piscina#1029: stats().queued counts waiting calls that carry a signal', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const controller = new AbortController();
    const calls = Array.from({ length: 4 }, () => p.apply(t.sleep, [300], { signal: controller.signal }));
    expect(await eventually(() => p.stats().busy === 1 && p.stats().queued === 3)).toBe(true);
    controller.abort();
    for (const call of calls) expect((await rejection(call)).name).toBe('AbortError');
    expect(p.stats()).toMatchObject({ busy: 0, queued: 0 });
  });

  // piscina#7 (cancelling tasks): a queued task whose signal aborts must never start.
  it('piscina#7: a queued call aborted before it started never runs', { timeout: 20_000 }, async () => {
    const file = scratchFile();
    const p = pool({ processes: 1, context });
    const busy = p.apply(t.sleep, [200]);
    const controller = new AbortController();
    const aborted = rejection(p.apply(t.mark, [file, 'aborted'], { signal: controller.signal }));
    controller.abort(new Error('not wanted'));
    const err = await aborted;
    expect(err.name).toBe('AbortError');
    expect((err.cause as Error).message).toBe('not wanted');
    await busy;
    expect(await p.apply(t.mark, [file, 'later'])).toBe('later');
    expect(lines(file)).toEqual(['later']);
  });

  // piscina#430 (and angular-cli#26073): destroy() made the pool start its minimum workers again.
  it('piscina#430: terminate() starts no new worker', { timeout: 20_000 }, async () => {
    const file = scratchFile();
    const p = pool({ processes: 2, context, initializer: t.countStart, initargs: [file] });
    await Promise.all([p.apply(t.sleep, [50]), p.apply(t.sleep, [50])]);
    expect(await eventually(() => lines(file).length === 2)).toBe(true);
    await p.terminate();
    await sleep(300);
    expect(lines(file)).toHaveLength(2);
  });

  // workerpool#147: a task submitted after terminate() revived the pool, and the program then hung.
  it('workerpool#147: a call after terminate() rejects with PoolClosedError and starts no worker', {
    timeout: 20_000,
  }, async () => {
    const file = scratchFile();
    const p = pool({ processes: 1, context, initializer: t.countStart, initargs: [file] });
    await p.terminate();
    const err = await rejection(p.apply(t.identity, [1]));
    expect(err).toBeInstanceOf(PoolClosedError);
    await sleep(200);
    expect(lines(file).length).toBeLessThanOrEqual(1);
  });

  // workerpool#274: a call cut short by terminate() rejected with a bare Error('Worker terminated'),
  // impossible to tell from a task's own error.
  it('workerpool#274: a running call cut by terminate() rejects with a named class with a code', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    await p.apply(t.identity, [0]);
    const running = rejection(p.apply(t.sleep, [30_000]));
    await sleep(50);
    await p.terminate();
    const err = await running;
    expect(err).toBeInstanceOf(PoolClosedError);
    expect(err).toBeInstanceOf(ProcessError);
    expect((err as PoolClosedError).code).toBeTypeOf('string');
  });

  // workerpool#511: workers were terminated "without anything to know why", and the error at times
  // escaped the caller's try/catch. A worker that dies while idle fails no call; the pool's
  // 'crash' event says which worker died and of what, and the next call runs on its replacement.
  it('workerpool#511: a worker dying between calls is reported by the crash event with its cause', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const crashed = new Promise<{ cause: unknown; reason: string }>((resolve) => p.once('crash', resolve));
    expect(await p.apply(t.dieLater, [20])).toBe('returned');
    const info = await crashed;
    expect(info.reason).toBe('crashed');
    expect((info.cause as Error).message).toBe('died while idle');
    expect(await p.apply(t.identity, ['next'])).toBe('next');
  });

  // poolifier#1748: a dynamic pool with a minimum of 0 workers failed every task once it had shrunk
  // to no worker at all ("Worker node key chosen is null or undefined").
  it('poolifier#1748: minProcesses 0: after every worker idled out, the next call starts one and runs', {
    timeout: 20_000,
  }, async () => {
    const file = scratchFile();
    const p = pool({
      processes: 2,
      minProcesses: 0,
      idleTimeout: 30,
      context,
      initializer: t.countStart,
      initargs: [file],
    });
    expect(await p.apply(t.identity, [1])).toBe(1);
    expect(lines(file)).toHaveLength(1);
    await sleep(400);
    expect(await p.apply(t.identity, [2])).toBe(2);
    expect(lines(file)).toHaveLength(2);
  });

  // poolifier-web-worker#49: tasks that resolve or throw at once, many in a row, gave errors and
  // leaked timers.
  it('poolifier-web-worker#49: 200 calls that return or throw at once all settle right', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 2, context });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) => p.apply(t.inverse, [i % 2 === 0 ? 0 : i])),
    );
    outcomes.forEach((o, i) => {
      if (i % 2 === 0) expect(o.status).toBe('rejected');
      else expect(o).toEqual({ status: 'fulfilled', value: 1 / i });
    });
  });

  // oxc#19380: child_process workers were thought not to get the parent's environment, so the
  // user passed process.env by hand; a variable set by the program before the pool starts must
  // reach every worker in both contexts.
  it('oxc#19380: a variable set in process.env before the pool starts reaches its workers', {
    timeout: 20_000,
  }, async () => {
    process.env.BUGS_49_VALUE = 'from the parent';
    try {
      const p = pool({ processes: 1, context });
      expect(await p.apply(t.env, ['BUGS_49_VALUE'])).toBe('from the parent');
    } finally {
      delete process.env.BUGS_49_VALUE;
    }
  });

  // nodejs/node#32752: after a worker transferred a Buffer out, making a new Buffer in that worker
  // crashed it; here a task returns a fresh Buffer many times in the same worker.
  it('nodejs/node#32752: a worker returns a new Buffer on every call, call after call', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    for (let i = 0; i < 5; i++) {
      const bytes = await p.apply(t.buffer, [`hello ${i}`]);
      expect(Buffer.from(bytes).toString()).toBe(`hello ${i}`);
    }
  });

  // bpo-43136 seen from a child: what a worker put before it ended is there for getNowait() once
  // join() resolved (the contract's delivery rule), in the queue's parent.
  it('bpo-43136: getNowait() after a worker that put a value was joined returns the value', {
    timeout: 20_000,
  }, async () => {
    const q = new Queue<string>();
    const p = new Process({ target: t.putTo, args: [q, 'from the worker'], context });
    p.start();
    await p.join();
    expect(p.exitCode).toBe(0);
    expect(q.getNowait()).toBe('from the worker');
    q.close();
  });

  // python/cpython#126743: result.get() after the `with Pool()` block (terminate) hung for good.
  it('gh-126743: an applyAsync result still pending when the pool is terminated rejects', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const r = p.applyAsync(t.sleep, [30_000]);
    await p.terminate();
    expect(await rejection(r.get(5000))).toBeInstanceOf(PoolClosedError);
    expect(r.ready()).toBe(true);
    expect(r.successful()).toBe(false);
  });

  // uqfoundation/multiprocess#57: an imap created inside `with Pool()` and iterated after the block
  // ended froze (IndexError: pop from an empty deque on Ctrl-C).
  it('uqfoundation/multiprocess#57: an imap iterated after the pool was terminated rejects, no hang', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 2, context });
    const it = p.imap(t.sleep, [10_000, 10_000, 10_000]);
    await p.terminate();
    const err = await rejection(
      (async () => {
        for await (const _ of it) {
          // nothing: the pool is gone
        }
      })(),
    );
    expect(err).toBeInstanceOf(PoolClosedError);
  });

  // uqfoundation/multiprocess#19: an argument pickle refuses (a lambda) froze the program for hours.
  it('uqfoundation/multiprocess#19: a function as an argument rejects with SerializationError naming it', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    const err = await rejection(p.map(t.identity, [1, () => 2] as never));
    expect(err).toBeInstanceOf(SerializationError);
    expect(err.message).toContain('items[1]');
  });

  // tqdm#1830, openai/gpt-oss#288, royerlab/tracksdata#312: mapping over nothing made a pool of 0
  // workers and crashed; an empty map must give [] without any call.
  it('gpt-oss#288: map over an empty input gives [] and runs nothing; processes 0 is a named error', {
    timeout: 20_000,
  }, async () => {
    const p = pool({ processes: 1, context });
    expect(await p.map(t.identity, [])).toEqual([]);
    expect(await p.starmap(t.mark, [])).toEqual([]);
    const seen: unknown[] = [];
    for await (const v of p.imapUnordered(t.identity, [])) seen.push(v);
    expect(seen).toEqual([]);
    expect(p.stats()).toMatchObject({ busy: 0, queued: 0, completed: 0, failed: 0 });
    expect(() => pool({ processes: 0, context })).toThrow(ValidationError);
  });
});

describe('bug reports (49), queues, shared memory and locks', () => {
  // bpo-43136 (python/cpython#87302): get(block=False) right after put() raised Empty on a queue
  // that was not empty (the feeder thread had not flushed yet).
  it('bpo-43136: getNowait() right after put() on the same queue returns the value', async () => {
    const q = new Queue<number>();
    await q.put(1);
    q.putNowait(2);
    expect(q.empty()).toBe(false);
    expect(q.getNowait()).toBe(1);
    expect(q.getNowait()).toBe(2);
    q.close();
  });

  // bpo-23582 (avito-tech/aqueduct#21): get(timeout) raised Empty though an item was there.
  it('bpo-23582: get with a timeout of 0 on a queue holding an item returns it', async () => {
    const q = new Queue<string>();
    await q.put('x');
    expect(await q.get({ timeout: 0 })).toBe('x');
    q.close();
  });
  // oracle/graalpython#307: Array('i', range(10)) made after a Value read back shifted values.
  it('graalpython#307: a SharedArray made after a Value holds exactly its initial numbers', () => {
    const v = new Value('d', 0);
    const arr = new SharedArray('i', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Array.from(arr.view)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(v.value).toBe(0);
    expect(arr.get(-1)).toBe(9);
  });

  // vercel/async-sema#36: release() added permits beyond the count. Python's Semaphore allows
  // that (its value grows); BoundedSemaphore refuses with ValueError.
  it('async-sema#36: Semaphore(1) released once more gives two permits; BoundedSemaphore refuses', () => {
    const sem = new Semaphore(1);
    sem.release();
    expect(sem.tryAcquire()).toBe(true);
    expect(sem.tryAcquire()).toBe(true);
    expect(sem.tryAcquire()).toBe(false);
    const bounded = new BoundedSemaphore(1);
    expect(() => bounded.release()).toThrow(LockError);
  });

  // gevent#862: BoundedSemaphore(0) raised where stdlib blocks; Semaphore(0) must make acquire
  // wait until another party releases, and BoundedSemaphore(0).release() raise as in Python.
  it('gevent#862: Semaphore(0) makes acquire wait for a release; BoundedSemaphore(0).release() throws', async () => {
    const sem = new Semaphore(0);
    const acquired = sem.acquire({ timeout: 5000 });
    await sleep(20);
    sem.release();
    expect(await acquired).toBe(true);
    expect(() => new BoundedSemaphore(0).release()).toThrow(LockError);
  });

  // kbaseattic/assembly#264: "semaphore or lock released too many times" (Python's ValueError).
  it('kbaseattic/assembly#264: releasing a Lock twice throws LockError the second time', async () => {
    const lock = new Lock();
    expect(await lock.acquire()).toBe(true);
    lock.release();
    expect(() => lock.release()).toThrow(LockError);
    expect(lock.locked()).toBe(false);
  });

  // python/cpython#117991: a forced release of a Barrier must tell the waiters it was forced:
  // abort() breaks it, every waiter rejects with BrokenBarrierError, reset() makes it usable.
  it('gh-117991: abort() rejects every waiter with BrokenBarrierError; reset() makes it usable again', async () => {
    const bar = new Barrier(3);
    const waiters = [rejection(bar.wait()), rejection(bar.wait())];
    await eventually(() => bar.nWaiting === 2);
    bar.abort();
    for (const err of await Promise.all(waiters)) expect(err).toBeInstanceOf(BrokenBarrierError);
    expect(bar.broken).toBe(true);
    bar.reset();
    expect(bar.broken).toBe(false);
    expect((await Promise.all([bar.wait(), bar.wait(), bar.wait()])).sort()).toEqual([0, 1, 2]);
  });

  // python/cpython#74501 (test_default_timeout): the barrier's own timeout applies to a wait()
  // given none, and breaks the barrier for every party.
  it('gh-74501: the Barrier timeout option bounds a wait() given none and breaks it for all', async () => {
    const bar = new Barrier(3, { timeout: 50 });
    const errs = await Promise.all([rejection(bar.wait()), rejection(bar.wait())]);
    for (const err of errs) expect(err).toBeInstanceOf(BrokenBarrierError);
    expect(bar.broken).toBe(true);
  });

  // python/cpython#85772 (and gh-126434): Event.set() called while the same thread waited on the
  // event deadlocked; here set() from a timer of the waiting thread wakes its wait().
  it('gh-85772: set() from the thread that awaits wait() wakes it', async () => {
    const ev = new Event();
    setTimeout(() => ev.set(), 10);
    expect(await ev.wait(5000)).toBe(true);
    expect(ev.isSet()).toBe(true);
  });
});

describe('bug reports (49), programs', () => {
  // tinypool#59: a NODE_OPTIONS flag that only a whole process may take (--use-openssl-ca) made
  // every Worker fail to start ("not allowed in NODE_OPTIONS") once the pool passed env itself.
  it.each(CONTEXTS)(
    'tinypool#59: a pool in a program run under NODE_OPTIONS=--use-openssl-ca works (%s)',
    {
      timeout: 40_000,
    },
    async (context) => {
      const { code, stdout, stderr } = await runProgram([context, 'map'], {
        NODE_OPTIONS: '--use-openssl-ca',
      });
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(JSON.parse(stdout)).toEqual({ squares: [1, 2, 3], env: '--use-openssl-ca' });
    },
  );

  // python/cpython#122930: Pool.map in a program that never closes its pool, which then waited.
  it.each(CONTEXTS)(
    'gh-122930: a program that maps and never closes its pool ends by itself (%s)',
    {
      timeout: 40_000,
    },
    async (context) => {
      const { code, stdout } = await runProgram([context, 'no-close'], {});
      expect(code).toBe(0);
      expect(JSON.parse(stdout).squares).toEqual([1, 2, 3]);
    },
  );
});
