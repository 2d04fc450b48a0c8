/**
 * Authentication (Python's authkey): a worker refuses forged or unsigned jobs and jobs naming a
 * task it did not load (never importing anything for them); a pool refuses forged results; a
 * worker holding another secret never serves the pool.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AuthenticationError, type Pool, UnknownTaskError } from '../dist/index.js';
import { pack } from '../dist/internal/wire.js';
import { other } from './fixtures/other.mjs';
import { tasks } from './fixtures/tasks.mjs';
import { redisMissing } from './redis.js';
import { useRedisPools } from './redis-pools.js';
import { startWorkerProcess, type WorkerProcess } from './workers.js';

describe.skipIf(redisMissing)('authentication', () => {
  const on = useRedisPools({ db: 3 });
  let worker: WorkerProcess;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mp-bullmq-'));
    worker = await startWorkerProcess(on.redis.url, ['--concurrency', '1'], { MARKER_DIR: dir });
  }, 60_000);
  afterAll(async () => {
    await worker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A job written into the pool's queue by someone without the secret. */
  async function inject(p: Pool, jobId: string, data: Record<string, unknown>): Promise<void> {
    await p.apply(tasks.square, [1]); // the pool is registered and served
    const [prefix, name] = p.keyPrefix.split(':') as [string, string];
    const queue = new Queue(name, { connection: { url: on.redis.url }, prefix });
    await queue.add('tasks#touch', data, { jobId, removeOnFail: false });
    await queue.close();
  }

  test('a forged or unsigned job is rejected and never runs', async () => {
    const p = on.pool();
    const path = join(dir, 'forged');
    const body = pack([path, 'pwned']);
    await inject(p, 'forged1', { v: 1, kind: 'apply', base: 0, msg: false, body, sig: 'f'.repeat(64) });
    await inject(p, 'unsigned1', { v: 1, kind: 'apply', base: 0, msg: false, body });
    await worker.waitFor(/job rejected .* job=forged1 .*AuthenticationError/);
    await worker.waitFor(/job rejected .* job=unsigned1 .*AuthenticationError/);
    expect(existsSync(path)).toBe(false);
    // The worker goes on serving signed jobs.
    expect(await p.apply(tasks.square, [12])).toBe(144);
  }, 60_000);

  test('a job naming a task the worker did not load: UnknownTaskError, and nothing is imported', async () => {
    const p = on.pool();
    const error = await p.apply(other.cube, [3]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownTaskError);
    expect((error as UnknownTaskError).code).toBe('MP_UNKNOWN_TASK');
    expect((error as UnknownTaskError).taskId).toBe('other#cube');
    await worker.waitFor(/job rejected .* task=other#cube .*UnknownTaskError/);
    // Importing other.mjs leaves a marker file named after the importing process: only ours, made
    // here to show that the marker works, none from the worker.
    process.env.MARKER_DIR = dir;
    const control = './fixtures/other.mjs?control';
    await import(/* @vite-ignore */ control);
    delete process.env.MARKER_DIR;
    expect(readdirSync(dir).filter((f) => f.startsWith('imported-by-'))).toEqual([
      `imported-by-${process.pid}`,
    ]);
  }, 60_000);

  test('a forged result is rejected with AuthenticationError', async () => {
    const p = on.pool();
    const active = new Promise<string>((resolve) => p.once('active', ({ jobId }) => resolve(jobId)));
    const call = p.apply(tasks.sleep, [5000]).catch((e: unknown) => e);
    const jobId = await active;
    const forged = JSON.stringify({ body: pack({ ok: true, value: 666 }), sig: '0'.repeat(64) });
    await on.redis.client.xadd(
      `${p.keyPrefix}events`,
      '*',
      'event',
      'completed',
      'jobId',
      jobId,
      'returnvalue',
      forged,
    );
    const error = await call;
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).code).toBe('MP_AUTHENTICATION');
  }, 60_000);

  test('a worker with another secret never serves the pool, and says once that it ignores it', async () => {
    const p = on.pool({ secret: 'another-secret-0123456789' });
    const error = await p.apply(tasks.square, [2], { timeout: 1500 }).catch((e: unknown) => e);
    expect((error as Error).name).toBe('TimeoutError');
    const queue = p.keyPrefix.split(':')[1]!;
    // It says so, once, and that is all it ever writes about this pool: no attach, no job.
    await worker.waitFor(new RegExp(`pool ignored pool=${queue} `));
    expect(worker.lines.filter((l) => l.includes(queue))).toEqual([
      expect.stringMatching(new RegExp(`pool ignored pool=${queue} .*another secret`)),
    ]);
  }, 60_000);
});
