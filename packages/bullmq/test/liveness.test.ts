/**
 * Which workers count as live, one rule for a pool tearing down and for a worker joining the
 * prefix: connected to Redis and heartbeating. A killed worker (its sockets close with it) is not
 * waited for, even while BullMQ still lists it as holding a job; a frozen one (SIGSTOP: connected,
 * silent) refuses no joining worker; a live one, slow or not, keeps its job. And a worker that
 * finished jobs while Redis was down leaves no key behind once the pool is gone.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { tasks } from './fixtures/tasks.mjs';
import { redisMissing } from './redis.js';
import { useRedisPools } from './redis-pools.js';
import { launchWorkerProcess, startWorkerProcess, type WorkerProcess } from './workers.js';

const OTHER = new URL('./fixtures/other.mjs', import.meta.url).pathname;
/**
 * Slow failure detection: a killed worker's registration lives 20 s and its job's lock 30 s, so
 * what a test sees within a few seconds cannot come from either running out.
 */
const SLOW = ['--ttl', '20000', '--lock-duration', '30000', '--stalled-interval', '30000'];
/**
 * How long join()/terminate() may take once the worker holding the pool's job is dead. Redis sees a
 * killed process's sockets close at once and the pool asks every 100 ms: it takes about 0.6 s here,
 * alone. The bound leaves a 2-core machine under a load of 10-15 its slack, and stays half the
 * 10 s the pool used to wait and a quarter of the worker's 20 s TTL, so neither can pass it.
 */
const TEARDOWN_BOUND_MS = 5000;

describe.skipIf(redisMissing)('live, dead and frozen workers', () => {
  const on = useRedisPools();
  const started: WorkerProcess[] = [];
  const worker = async (...args: string[]) => {
    const w = await startWorkerProcess(on.redis.url, ['--concurrency', '1', ...args]);
    started.push(w);
    return w;
  };
  afterEach(async () => {
    for (const w of started) w.child.kill('SIGCONT');
    await Promise.all(started.splice(0).map((w) => w.stop('SIGKILL')));
  }, 30_000);

  test.each(['join', 'terminate'])(
    'a worker SIGKILLed while it holds a job: %s() settles at once and deletes every key of the pool',
    async (how) => {
      const a = await worker(...SLOW);
      const p = on.pool();
      const controller = new AbortController();
      const call = p.apply(tasks.sleep, [60_000], { signal: controller.signal }).catch((e: unknown) => e);
      await a.waitFor(/ job started .* job=a1 /);
      a.child.kill('SIGKILL');
      await a.exited;
      // BullMQ still lists the job as held (its lock lives 30 s) and the worker as attached (20 s).
      expect(await on.redis.client.llen(`${p.keyPrefix}active`)).toBe(1);
      const t0 = performance.now();
      if (how === 'join') {
        controller.abort();
        expect(await call).toMatchObject({ name: 'AbortError' });
        p.close();
        await p.join();
      } else {
        await p.terminate();
        expect(await call).toMatchObject({ name: 'PoolClosedError' });
      }
      expect(performance.now() - t0).toBeLessThan(TEARDOWN_BOUND_MS);
      expect(await on.redis.client.keys(`${p.keyPrefix}*`)).toEqual([]);
    },
    60_000,
  );

  test("a live worker's slow job is never taken away: join() waits for its result", async () => {
    const [a, b] = await Promise.all([worker(...SLOW), worker(...SLOW)]);
    const p = on.pool({ processes: 2 });
    // Both serve the pool before its jobs come: one job each (concurrency 1).
    await Promise.all([a.waitFor(/ attached /), b.waitFor(/ attached /)]);
    const stalled: string[] = [];
    p.on('stalled', ({ jobId }) => stalled.push(jobId));
    const controllers = [new AbortController(), new AbortController()];
    const calls = controllers.map((c) =>
      p.apply(tasks.sleep, [3000], { signal: c.signal }).catch((e: unknown) => e),
    );
    // One job on each worker (concurrency 1): kill the holder of one, cancel that call.
    const [lineA] = await Promise.all([a.waitFor(/ job started /), b.waitFor(/ job started /)]);
    const killedJob = /job=(a\d)/.exec(lineA)![1]!;
    const index = killedJob === 'a1' ? 0 : 1;
    a.child.kill('SIGKILL');
    await a.exited;
    controllers[index]!.abort();
    p.close();
    const joined = p.join().then(() => performance.now());
    const value = await calls[1 - index];
    const resultAt = performance.now();
    expect(value).toBe(3000);
    expect(await joined).toBeLessThan(resultAt + TEARDOWN_BOUND_MS);
    expect(b.lines.filter((l) => / job (cancelled|handed back) /.test(l))).toEqual([]);
    expect(stalled).toEqual([]);
    expect(await on.redis.client.keys(`${p.keyPrefix}*`)).toEqual([]);
  }, 60_000);

  test('a frozen worker with other tasks refuses no joining worker; a live one still does at once', async () => {
    // Its entry outlives the test: the joiner finds it however slowly it starts (with a 10 s TTL it
    // had 4-6 s left under a load of 7, and under a load of 25-35 none: the joiner joined at once).
    // Four workers start here, each in over 10 s at times in CI (every package's tests on 2 cores):
    // the test has 150 s, the TTLs are 300 s.
    const frozen = await worker('--prefix', 'frozen-join', '--ttl', '300000');
    frozen.child.kill('SIGSTOP');
    // The joiner asks, hears nothing, and waits for the entry to go: it goes now, as if its TTL had
    // run out and a live worker had pruned it (waiting that out is the same loop, by the clock).
    const joining = launchWorkerProcess(on.redis.url, [
      '--concurrency',
      '1',
      '--prefix',
      'frozen-join',
      '--tasks',
      OTHER,
    ]);
    started.push(joining.worker);
    const waiting = await joining.worker.waitFor(/ join waiting .*did not answer a ping \(frozen\?\)/);
    expect(waiting).toMatch(/ ms=\d{6} /); // most of the frozen worker's 300 s TTL
    const entries = await on.redis.client.zrange('frozen-join:workers', 0, -1);
    expect(entries).toHaveLength(1);
    await on.redis.client.zrem('frozen-join:workers', entries[0]!);
    await joining.connected;
    expect(joining.worker.lines.some((l) => / connected .*tasks=other#cube/.test(l))).toBe(true);
    // A live worker with other tasks than the joiner's answers the ping: refused at once, not after
    // its 300 s TTL (a heartbeat every 100 s), which the test's own timeout is half of.
    await worker('--prefix', 'live-join', '--ttl', '300000');
    const refused = await worker('--prefix', 'live-join', '--tasks', OTHER).catch((e: unknown) => e);
    expect((refused as Error).message).toMatch(/the worker exited \(1\).*load other task modules/s);
  }, 150_000);

  // A shared REDIS_URL server cannot be restarted by a test.
  test.skipIf(process.env.REDIS_URL)(
    'Redis restarted while a worker finishes the jobs of a pool that gave up on it: no key of the pool is left',
    async () => {
      // Locks renewed every 500 ms (the test workers' 1 s lockDuration): renewals are due while
      // Redis is down, and run on the empty Redis that comes back.
      const w = await worker('--concurrency', '2');
      const p = on.pool({ connectTimeout: 1500 });
      const queue = p.keyPrefix.split(':').at(-2)!;
      // Two jobs run, two wait for the worker.
      const call = p.map(tasks.sleep, [2500, 2500, 2500, 2500], { chunksize: 1 }).catch((e: unknown) => e);
      await Promise.all([w.waitFor(/ job started .* job=m1-0 /), w.waitFor(/ job started .* job=m1-1 /)]);
      await on.redis.kill();
      expect(await call).toMatchObject({ name: 'RedisConnectionError' });
      await p.terminate();
      // Both jobs end while Redis is down: their last commands wait for it, and run on the empty
      // Redis that comes back (BullMQ's scripts write the queue's meta key again).
      await Promise.all([w.waitFor(/ job completed .* job=m1-0 /), w.waitFor(/ job completed .* job=m1-1 /)]);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await on.redis.restart();
      await w.waitFor(new RegExp(` detached pool=${queue} `), 20_000).catch(() => {});
      expect(await on.redis.client.keys(`${p.keyPrefix}*`)).toEqual([]);
      await w.stop();
      expect(await on.redis.client.keys(`${p.keyPrefix}*`)).toEqual([]);
    },
    60_000,
  );
});
