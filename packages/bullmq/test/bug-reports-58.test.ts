/**
 * Public bug reports of BullMQ and Bull whose fault class this pool could have: a job left active
 * for ever once the process running it died (until that very process came back), a worker closing
 * with jobs of its own that never finished closing, retries (`attempts`) that never happened, and
 * failed or stalled jobs left behind in Redis. Each case names its report and says in a line what
 * went wrong there. Real Redis, real workers (in this process with `startWorkerHere()`, or
 * `multiproc-worker` processes where one must die or be stopped), every wait bounded.
 *
 * Reports covered here:
 * - OptimalBits/bull#2759, taskforcesh/bullmq#2580: jobs stayed active after their worker process
 *   was killed and restarted.
 * - OptimalBits/bull#2141: a killed worker's job was seen as stalled only once that worker came back.
 * - taskforcesh/bullmq#4163: Worker.close() never resolved while its jobs kept fetching more.
 * - taskforcesh/bullmq#117, OptimalBits/bull#1622, OptimalBits/bull#1184: a failed job was never retried.
 * - OptimalBits/bull#2671: stalled and failed jobs stayed in the queue.
 * - taskforcesh/bullmq#2857, OptimalBits/bull#476, #412, #2136: a CPU-bound job lost its lock and
 *   was run again as stalled ("job stalled more than allowable limit").
 * - OptimalBits/bull#2601: a job that outlasted `lockDuration` was marked stalled.
 * - OptimalBits/bull#1415: a job failing while its worker closed reported a missing lock instead.
 * - OptimalBits/bull#1737, #2335, #473, #1098, #330: an active job could not be stopped or removed.
 */
import { WorkerCrashedError } from '@multiproc/core';
import { afterEach, describe, expect, test } from 'vitest';
import { tasks as t } from './fixtures/tasks.mjs';
import { redisMissing } from './redis.js';
import { useRedisPools } from './redis-pools.js';
import { range, runLogs, sleep, until, within } from './report-kit.js';
import { ORDERLY, startWorkerHere, startWorkerProcess, type WorkerProcess } from './workers.js';

const runLog = runLogs('mp-bull-58-');

describe.skipIf(redisMissing)('bug reports (58): BullMQ and Bull, worker processes that die or stop', () => {
  const on = useRedisPools({ db: 12 });
  const started: WorkerProcess[] = [];
  const worker = async (...args: string[]) => {
    const w = await startWorkerProcess(on.redis.url, ['--concurrency', '1', ...args]);
    started.push(w);
    return w;
  };
  afterEach(async () => {
    await Promise.all(started.splice(0).map((w) => w.stop('SIGKILL')));
  }, 30_000);

  // OptimalBits/bull#2759, taskforcesh/bullmq#2580: the process running jobs was killed (a pm2
  // restart); once it was back its jobs stayed active for ever. Here the only worker is SIGKILLed
  // mid-job; a worker started afterwards runs the job again and the call gets its result.
  test('bull#2759 + bullmq#2580: a job whose only worker was killed runs on the worker started after', {
    timeout: 90_000,
  }, async () => {
    const log = runLog();
    const p = on.pool({ processes: 1 });
    const first = await worker();
    const call = p.apply(t.markSleep, [log.path, 'job', 1500]);
    expect(await until(() => log.lines().length === 1, 30_000)).toBe(true);
    await first.stop('SIGKILL');
    await worker();
    expect(await within(call, 45_000)).toBe('job');
    expect(log.lines()).toEqual(['job', 'job']);
  });

  // OptimalBits/bull#2141: a job whose worker was terminated was reported stalled only when that
  // worker came back up. Here another worker, already running, takes the job of one SIGKILLed
  // mid-job (which never comes back) and the call gets its result.
  test('bull#2141: a live worker takes over the job of a killed one that never comes back', {
    timeout: 90_000,
  }, async () => {
    const log = runLog();
    const p = on.pool({ processes: 2 });
    const first = await worker();
    const call = p.apply(t.markSleep, [log.path, 'job', 1500]);
    expect(await until(() => log.lines().length === 1, 30_000)).toBe(true);
    await worker(); // it starts while the first runs the job
    await first.stop('SIGKILL');
    expect(await within(call, 45_000)).toBe('job');
    expect(log.lines()).toEqual(['job', 'job']);
  });

  // taskforcesh/bullmq#4163: Worker.close() never resolved: each job it finished fetched the next
  // one. Here a worker sent SIGTERM while it runs a job with ten more queued exits (status 0)
  // without taking them; a worker started later runs them, and every call gets its result.
  test('bullmq#4163: SIGTERM stops a busy worker with calls queued; another worker serves them', {
    timeout: 90_000,
  }, async () => {
    const log = runLog();
    const p = on.pool({ processes: 1 });
    const first = await worker('--grace', '10000');
    const long = p.apply(t.markSleep, [log.path, 'long', 1000]);
    const queued = range(10).map((i) => p.apply(t.slowSquare, [i, 5]));
    expect(await until(() => log.lines().length === 1, 30_000)).toBe(true);
    expect(await within(first.stop('SIGTERM', ORDERLY), 30_000)).toBe(0);
    expect(await within(long, 5000)).toBe('long');
    await worker();
    expect(await within(Promise.all(queued), 45_000)).toEqual(range(10).map((i) => i * i));
    expect(log.lines()).toEqual(['long']);
  });
});

describe.skipIf(redisMissing)('bug reports (58): BullMQ and Bull, long jobs and their locks', () => {
  const on = useRedisPools({ db: 14 });
  const started: WorkerProcess[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((w) => w.stop('SIGKILL')));
  }, 30_000);

  // taskforcesh/bullmq#2857, OptimalBits/bull#476, #412 and #2136: a processor busy with CPU work
  // kept the event loop from renewing the job's lock; the job was taken back as stalled and run
  // again (or failed: "job stalled more than allowable limit"). OptimalBits/bull#2601: a job that
  // just took longer than lockDuration. Here, with a 1 s lock, a task spinning 3 s and one
  // sleeping 3 s each run once, on a worker beside another that would take them back.
  test('bullmq#2857 + bull#476 + bull#412 + bull#2136 + bull#2601: jobs longer than the lock run once', {
    timeout: 90_000,
  }, async () => {
    const log = runLog();
    for (let i = 0; i < 2; i++) {
      started.push(
        await startWorkerProcess(on.redis.url, ['--concurrency', '1', '--max-stalled-count', '1']),
      );
    }
    const p = on.pool({ processes: 2 });
    const out = await within(
      Promise.all([
        p.apply(t.spinAndMark, [log.path, 'spin', 3000]),
        p.apply(t.markSleep, [log.path, 'sleep', 3000]),
      ]),
      45_000,
    );
    expect(out).toEqual(['spin', 'sleep']);
    expect(log.lines().sort()).toEqual(['sleep', 'spin']);
  });

  // OptimalBits/bull#1415: a job that failed while its worker was closing reported "Missing lock
  // for job … failed" instead of its own error. Here a worker sent SIGTERM while its job runs, the
  // job failing 1.5 s later, within the grace: the call rejects with the task's own RangeError,
  // and the worker exits with status 0.
  test('bull#1415: a job failing while its worker stops rejects with its own error', {
    timeout: 60_000,
  }, async () => {
    const w = await startWorkerProcess(on.redis.url, ['--concurrency', '1', '--grace', '10000']);
    started.push(w);
    const p = on.pool({ processes: 1 });
    const call = p.apply(t.failAfter, [1500]).then(
      () => null,
      (e: Error) => e,
    );
    await sleep(500); // the job is running
    expect(await within(w.stop('SIGTERM', ORDERLY), 30_000)).toBe(0);
    const err = await within(call, 10_000);
    expect(err).toBeInstanceOf(RangeError);
  });
});

describe.skipIf(redisMissing)('bug reports (58): BullMQ and Bull, stopping an active job', () => {
  const on = useRedisPools({ db: 15 });
  const steady = { lockDuration: 15_000, stalledInterval: 5000, ttl: 15_000 };

  // OptimalBits/bull#1737, #2335 and #473: an active job could not be stopped (removing it failed,
  // #1098, or left it running); #330 asked for a running job to learn of its cancellation. Here a
  // call's signal aborted while its job runs, and a pool terminated while its job runs, each stop
  // the task (its file stops growing), and the worker then runs the next call.
  test('bull#1737 + bull#2335 + bull#473 + bull#1098 + bull#330: abort() and terminate() stop a running job', {
    timeout: 60_000,
  }, async () => {
    const w = await startWorkerHere(on.redis.url, { concurrency: 1, ...steady });
    try {
      const aborted = runLog();
      const p = on.pool({ processes: 1 });
      const ac = new AbortController();
      const call = p.apply(t.tickTo, [aborted.path], { signal: ac.signal }).then(
        () => null,
        (e: Error) => e,
      );
      expect(await until(() => aborted.lines().length >= 3)).toBe(true);
      ac.abort();
      expect((await within(call, 15_000)) as Error).toHaveProperty('name', 'AbortError');
      expect(await stopsGrowing(aborted.lines)).toBe(true);
      expect(await within(p.apply(t.add, [1, 2]), 30_000)).toBe(3);

      const terminated = runLog();
      const q = on.pool({ processes: 1 });
      const running = q.apply(t.tickTo, [terminated.path]).catch((e: Error) => e);
      expect(await until(() => terminated.lines().length >= 3)).toBe(true);
      await within(q.terminate(), 30_000);
      expect((await within(running, 15_000)) as Error).toHaveProperty('name', 'PoolClosedError');
      expect(await stopsGrowing(terminated.lines)).toBe(true);
      expect(await within(on.pool({ processes: 1 }).apply(t.add, [2, 3]), 30_000)).toBe(5);
    } finally {
      await w.handle.stop();
    }
  });
});

/** Whether `lines()` stops growing within 10 s: no new line in 500 ms. */
async function stopsGrowing(lines: () => string[]): Promise<boolean> {
  const end = Date.now() + 10_000;
  while (Date.now() < end) {
    const n = lines().length;
    await sleep(500);
    if (lines().length === n) return true;
  }
  return false;
}

describe.skipIf(redisMissing)('bug reports (58): BullMQ and Bull, retries and what is left in Redis', () => {
  const on = useRedisPools({ db: 13 });
  const steady = { lockDuration: 15_000, stalledInterval: 5000, ttl: 15_000 };

  // taskforcesh/bullmq#117, OptimalBits/bull#1622 and #1184: a job that failed was never retried,
  // whatever its `attempts` and backoff. Here a call whose task fails on its first run succeeds
  // with `attempts: 2`, and fails once with the default of 1.
  test('bullmq#117 + bull#1622 + bull#1184: attempts 2 retries a failed task once; 1 does not', {
    timeout: 60_000,
  }, async () => {
    const w = await startWorkerHere(on.redis.url, { concurrency: 1, ...steady });
    try {
      const retried = on.pool({ processes: 1, attempts: 2 });
      expect(await within(retried.apply(t.flaky, [runLog().path]), 30_000)).toBe('second try');
      const once = on.pool({ processes: 1 });
      const err = await once.apply(t.flaky, [runLog().path]).then(
        () => null,
        (e: Error) => e,
      );
      expect(err?.message).toBe('first try fails');
    } finally {
      await w.handle.stop();
    }
  });

  // OptimalBits/bull#2671: failed and stalled jobs stayed in the queue. Here, after calls that
  // succeeded, failed, and lost their local worker (process.exit in the task), close() and join()
  // leave no key of the pool in Redis.
  test('bull#2671: after failed and crashed jobs, join() leaves no key of the pool in Redis', {
    timeout: 60_000,
  }, async () => {
    const w = await startWorkerHere(on.redis.url, { concurrency: 2, ...steady });
    try {
      const p = on.pool({ processes: 2 });
      const outcomes = await within(
        Promise.allSettled([
          p.apply(t.square, [3]),
          p.apply(t.typeError, []),
          p.apply(t.exit, [3]),
          p.map(t.failAt, range(6), { chunksize: 1 }),
          p.map(t.square, range(6)),
        ]),
        45_000,
      );
      expect(outcomes).not.toBe('still waiting');
      const [ok, failed, crashed, mapFailed, mapOk] = outcomes as PromiseSettledResult<unknown>[];
      expect(ok).toEqual({ status: 'fulfilled', value: 9 });
      expect(failed?.status).toBe('rejected');
      expect(crashed?.status === 'rejected' && crashed.reason).toBeInstanceOf(WorkerCrashedError);
      expect(mapFailed?.status).toBe('rejected');
      expect(mapOk).toEqual({ status: 'fulfilled', value: range(6).map((x) => x * x) });
      p.close();
      await within(p.join(), 30_000);
      expect(await on.redis.client.keys(`${p.keyPrefix}*`)).toEqual([]);
    } finally {
      await w.handle.stop();
    }
  });
});
