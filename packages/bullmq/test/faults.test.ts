/**
 * Fault tolerance from BullMQ: a worker process SIGKILLed mid-map (its job runs again on another
 * worker: at-least-once), a graceful SIGTERM (jobs finish, or go back to the queue after the grace
 * period, or at once on a second signal), and a client that vanishes (its running job is cancelled
 * and its keys deleted).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PoolClosedError, WorkerCrashedError } from '@multiproc/core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { Pool } from '../dist/index.js';
import { tasks } from './fixtures/tasks.mjs';
import { type RedisServer, redisMissing, startRedis } from './redis.js';
import { ORDERLY, SECRET, startWorkerHere, startWorkerProcess, type WorkerProcess } from './workers.js';

// Slow failure detection, for tests where no worker dies: a loaded CI machine can miss a 1 s lock
// renewal or heartbeat, and BullMQ would then take a running job back as stalled.
const STEADY = ['--lock-duration', '15000', '--stalled-interval', '5000', '--ttl', '15000'];
const STEADY_HERE = { lockDuration: 15_000, stalledInterval: 5000, ttl: 15_000 };
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const dir = mkdtempSync(join(tmpdir(), 'mp-faults-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(redisMissing)('faults', () => {
  let redis: RedisServer;
  const started: WorkerProcess[] = [];
  const pools: Pool[] = [];
  const worker = async (...args: string[]) => {
    const w = await startWorkerProcess(redis.url, ['--concurrency', '1', ...args]);
    started.push(w);
    return w;
  };
  const pool = (options = {}) => {
    const p = new Pool({ connection: redis.url, secret: SECRET, ...options });
    pools.push(p);
    return p;
  };

  beforeAll(async () => {
    redis = await startRedis({ db: 2 });
  });
  afterEach(async () => {
    // Workers first: a pool's teardown then waits only for their registrations to expire.
    await Promise.all(started.splice(0).map((w) => w.stop('SIGKILL')));
    await Promise.all(pools.splice(0).map((p) => p.terminate()));
  }, 60_000);
  afterAll(() => redis?.stop());

  test('a worker SIGKILLed mid-map: its job runs again on another worker and the map completes', async () => {
    // `b` checks for stalled jobs every second, and its own locks outlive a loaded machine's pauses
    // (a 1 s lock missed twice while `b` runs the job fails it as stalled, and the map with it).
    const [a, b] = await Promise.all([
      worker(),
      worker('--lock-duration', '15000', '--stalled-interval', '1000', '--ttl', '15000'),
    ]);
    const p = pool({ processes: 2 });
    // Both serve the pool before its jobs come, and each holds its first job until the gate opens:
    // `a` is killed while it surely runs one (a job of 10 ms could end first on a loaded machine,
    // and `b` could run all of them before `a` attached).
    await Promise.all([a.waitFor(/ attached /), b.waitFor(/ attached /)]);
    const gate = join(dir, 'open');
    const stalled: string[] = [];
    p.on('stalled', ({ jobId }) => stalled.push(jobId));
    const result = p.map(
      tasks.gatedSquare,
      range(12).map((x) => ({ x, gate })),
      { chunksize: 1 },
    );
    const line = await a.waitFor(/job started .* job=m/);
    const jobId = /job=(\S+)/.exec(line)![1]!;
    a.child.kill('SIGKILL');
    await a.exited;
    writeFileSync(gate, '');
    expect(await result).toEqual(range(12).map((x) => x * x));
    // The job `a` held ran again on `b`, through BullMQ's stalled-job check.
    expect(stalled).toContain(jobId);
    await b.waitFor(new RegExp(`job stalled .* job=${jobId} `));
    await b.waitFor(new RegExp(`job completed .* job=${jobId} `));
  }, 60_000);

  test('SIGTERM: a job that ends within the grace period finishes, the other goes back to the queue', async () => {
    // The grace period must outlast the short job also on a loaded CI machine: a short job handed
    // back instead would leave `short` with no worker to run it.
    const a = await worker('--concurrency', '2', '--grace', '10000', ...STEADY);
    const p = pool();
    const short = p.apply(tasks.sleep, [300]);
    const long = p.apply(tasks.sleep, [60_000]).catch((e: unknown) => e);
    await a.waitFor(/job started .* job=a1 /);
    await a.waitFor(/job started .* job=a2 /);
    a.child.kill('SIGTERM');
    expect(await short).toBe(300);
    expect(await a.exited).toBe(0);
    // One status line per event, in this order.
    const events = a.lines
      .map((l) => / (stopping|job completed|job handed back|detached|stopped) /.exec(l)?.[1])
      .filter(Boolean);
    expect(events).toEqual(['stopping', 'job completed', 'job handed back', 'detached', 'stopped']);
    // Another worker takes the job that went back.
    const b = await worker(...STEADY);
    await b.waitFor(/job started .* job=a2 /);
    await p.terminate();
    expect(await long).toBeInstanceOf(PoolClosedError);
  }, 90_000);

  test('terminate() with calls in flight: each rejects with PoolClosedError after terminate() resolved, also with its handler attached only then', async () => {
    const w = await worker(...STEADY);
    const p = pool();
    // No handler yet on any of them: a rejection while terminate() still talks to Redis would be
    // reported unhandled (vitest fails the run, a program exits with code 1).
    const applied = p.apply(tasks.sleep, [60_000]);
    const mapped = p.map(tasks.sleep, [60_000, 60_000], { chunksize: 1 });
    const looped = (async () => {
      for await (const _ of p.imap(tasks.sleep, [60_000, 60_000], { chunksize: 1 })) {
        // never reached: the first item runs for a minute
      }
    })();
    await w.waitFor(/job started /);
    await p.terminate();
    for (const call of [applied, mapped, looped]) await expect(call).rejects.toBeInstanceOf(PoolClosedError);
  }, 60_000);

  test('a second stop() (a second SIGTERM) hands the running jobs back at once', async () => {
    const a = await startWorkerHere(redis.url, { grace: 60_000, ...STEADY_HERE });
    const p = pool();
    const call = p.apply(tasks.sleep, [60_000]).catch((e: unknown) => e);
    await a.log.waitFor(/job started .* job=a1 /);
    const stopping = a.handle.stop();
    await a.log.waitFor(/ stopping /);
    await a.handle.stop({ grace: 0 });
    await stopping;
    expect(a.log.lines.some((l) => / job handed back .* job=a1 /.test(l))).toBe(true);
    const b = await startWorkerHere(redis.url, STEADY_HERE);
    try {
      await b.log.waitFor(/job started .* job=a1 /);
    } finally {
      await p.terminate();
      await b.handle.stop();
    }
    expect(await call).toBeInstanceOf(PoolClosedError);
  }, 60_000);

  test.each(matrix(import.meta.url))(
    '--max-old-space-size limits each local worker (%s): a task past it fails with WorkerCrashedError that names the flag, and the worker goes on',
    async (context) => {
      const w = await worker('--context', context, '--max-old-space-size', '32', ...STEADY);
      const p = pool();
      const error = await p.apply(tasks.leak, []).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WorkerCrashedError);
      expect((error as WorkerCrashedError).reason).toBe('out of memory');
      // The advice is one a user of this pool can follow: the worker's flag, not the local
      // Pool's `resourceLimits` option, which this pool refuses.
      expect((error as Error).message).toMatch(/limit of 32 MB.*--max-old-space-size <MB>/);
      expect((error as Error).message).not.toMatch(/resourceLimits/);
      await w.waitFor(/ job failed .*task=tasks#leak .*out of memory/);
      expect(await p.apply(tasks.square, [3])).toBe(9);
      // The worker process lives on, and stops as usual.
      p.close();
      await p.join();
      expect(await w.stop('SIGTERM', ORDERLY)).toBe(0);
    },
    60_000,
  );

  test('a client that vanishes: its running job is cancelled and its keys are deleted', async () => {
    const w = await worker();
    const client = spawn(
      process.execPath,
      [fileURLToPath(new URL('./fixtures/client.mjs', import.meta.url)), redis.url, '1500'],
      {
        env: { ...process.env, MULTIPROC_SECRET: SECRET },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const { keyPrefix } = await new Promise<{ keyPrefix: string }>((resolve) =>
      client.stdout!.setEncoding('utf8').once('data', (text: string) => resolve(JSON.parse(text))),
    );
    client.kill('SIGKILL');
    const queue = keyPrefix.split(':')[1];
    await w.waitFor(new RegExp(`pool expired pool=${queue}`));
    await w.waitFor(new RegExp(`job cancelled pool=${queue}`));
    for (;;) {
      const keys = await redis.client.keys(`${keyPrefix}*`);
      if (keys.length === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await redis.client.zcard('multiproc:pools')).toBe(0);
  }, 60_000);

  test.each(['timeout', 'abort'] as const)(
    'a call ended by its %s while its worker was dead: its job never runs again',
    async (how) => {
      // Its lock outlasts the call (a job whose lock expired is simply removed by the call's cancel).
      const a = await worker('--lock-duration', '5000');
      const p = pool();
      const controller = new AbortController();
      const options = how === 'timeout' ? { timeout: 1500 } : { signal: controller.signal };
      const call = p.apply(tasks.sleep, [3000], options).catch((e: unknown) => e);
      await a.waitFor(/job started .* job=a1 /);
      a.child.kill('SIGKILL');
      await a.exited;
      controller.abort();
      expect(await call).toMatchObject({ name: how === 'timeout' ? 'TimeoutError' : 'AbortError' });
      // The next worker takes the dead one's job back (BullMQ's stalled check) and refuses to run it.
      const b = await worker();
      await b.waitFor(/ job cancelled .* job=a1 .*before="it ran again"/);
      expect(b.lines.some((l) => / job started .* job=a1 /.test(l))).toBe(false);
      expect(await p.apply(tasks.square, [3])).toBe(9);
    },
    60_000,
  );

  test.each(['join', 'terminate'])(
    'a worker SIGKILLed holding none of the jobs: %s() does not wait for its registration to expire',
    async (how) => {
      const [a, b] = await Promise.all([worker(...STEADY), worker(...STEADY)]);
      const p = pool();
      expect(await p.map(tasks.square, range(4), { chunksize: 1 })).toEqual([0, 1, 4, 9]);
      await Promise.all([a.waitFor(/ attached /), b.waitFor(/ attached /)]);
      await a.stop('SIGKILL');
      // Its entry stays live for its TTL (15 s); the pool waited up to 10 s for it to detach.
      expect(await p.map(tasks.square, range(4), { chunksize: 1 })).toEqual([0, 1, 4, 9]);
      const t0 = performance.now();
      if (how === 'join') {
        p.close();
        await p.join();
      } else await p.terminate();
      expect(performance.now() - t0).toBeLessThan(3000);
      await b.waitFor(/ detached /);
    },
    60_000,
  );
});
