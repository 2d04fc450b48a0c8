/**
 * The wire format between pool and workers: versioned, so a pool and a worker of different
 * versions of this package refuse each other's jobs with `VersionMismatchError` saying what to
 * upgrade, rather than garbling values; and free of v8's serialization of errors, whose format
 * differs between Node majors (a worker on Node 24 could not read an Error with a `cause` from a
 * client on Node 20), so client and workers may run different Node versions.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { fromErrorRecord } from '@multiproc/core/internal';
import { Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Pool, VersionMismatchError } from '../dist/index.js';
import { signJob } from '../dist/internal/protocol.js';
import { Signer } from '../dist/internal/signing.js';
import { pack, unpack } from '../dist/internal/wire.js';
import { aggregate, fieldedError, shape, systemError } from './error-values.js';
import { tasks } from './fixtures/tasks.mjs';
import { redisMissing } from './redis.js';
import { useRedisPools } from './redis-pools.js';
import { SECRET, startWorkerHere, startWorkerProcess, type WorkerProcess } from './workers.js';

/** The queue of pool `p` (its BullMQ name and prefix). */
function queueOf(p: Pool, url: string): Queue {
  const [prefix, name] = p.keyPrefix.split(':') as [string, string];
  return new Queue(name, { connection: { url }, prefix });
}

describe.skipIf(redisMissing)('pools and workers of different wire formats', () => {
  const on = useRedisPools({ db: 0 });
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mp-wire-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('a job of another format never runs: its pool reads VersionMismatchError saying what to upgrade', {
    timeout: 60_000,
  }, async () => {
    const worker = await startWorkerHere(on.redis.url);
    try {
      const p = on.pool();
      expect(await p.apply(tasks.square, [2])).toBe(4); // registered and served
      const queue = queueOf(p, on.redis.url);
      const signer = new Signer(Buffer.from(SECRET));
      for (const v of [1, 4]) {
        const path = join(dir, `ran-${v}`);
        // Format 1 packed bare v8 bytes; format 4 is a future one (3 holds a large payload in a key).
        const body = v === 1 ? serialize([path, 'ran']).toString('base64') : pack([path, 'ran']);
        const jobId = `other-format-${v}`;
        const fields = { kind: 'apply' as const, base: 0, msg: false, mod: '', body };
        const sig = signJob(signer, queue.name, jobId, 'tasks#touch', fields);
        await queue.add('tasks#touch', { v, ...fields, sig }, { jobId });
        let job: Job | undefined;
        for (const end = Date.now() + 20_000; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) {
          job = await Job.fromId(queue, jobId);
          if (job?.finishedOn) break;
        }
        const { body: answer } = job!.returnvalue as { body: string };
        // A pool of format 1 reads bare v8 bytes: what it gets is a record it can rebuild.
        const result = (v === 1 ? deserialize(Buffer.from(answer, 'base64')) : unpack(answer)) as any;
        expect(result.ok).toBe(false);
        const error = fromErrorRecord(result.error);
        expect(error).toBeInstanceOf(VersionMismatchError);
        expect(error.message).toMatch(
          v === 1
            ? /older @multiproc\/bullmq \(wire format 1\).*Upgrade @multiproc\/bullmq in the program that made the pool/
            : /newer @multiproc\/bullmq \(wire format 4\).*Upgrade @multiproc\/bullmq on this worker/,
        );
        expect(existsSync(path)).toBe(false);
        await worker.log.waitFor(new RegExp(`job rejected .*job=${jobId} .*VersionMismatchError`));
      }
      await queue.close();
      expect(await p.apply(tasks.square, [3])).toBe(9);
    } finally {
      await worker.handle.stop();
    }
  });

  test('a worker of format 1 refusing the jobs: the call rejects with VersionMismatchError, not a crash', {
    timeout: 60_000,
  }, async () => {
    const p = on.pool({ prefix: 'old-worker', noWorkerWarning: false });
    await p.apply(tasks.square, [2], { timeout: 1 }).catch(() => {}); // the pool is registered
    const [prefix, name] = p.keyPrefix.split(':') as [string, string];
    // What a worker of format 1 does with every job of a later format: it cannot verify it.
    const old = new Worker(
      name,
      async (job) => {
        throw new UnrecoverableError(
          `AuthenticationError: job ${job.id} is not signed with the worker's secret; it did not run.`,
        );
      },
      { connection: { url: on.redis.url }, prefix },
    );
    try {
      const error = await p.apply(tasks.square, [3]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(VersionMismatchError);
      expect((error as VersionMismatchError).code).toBe('MP_VERSION_MISMATCH');
      expect((error as Error).message).toMatch(
        /refused by a worker of an older @multiproc\/bullmq.*Upgrade @multiproc\/bullmq on every worker/,
      );
    } finally {
      await old.close();
    }
  });
});

/** Another Node major than this one's (24 beside 20, else 20), or why there is none. */
function otherNode(): { bin: string } | { missing: string } {
  const spec = process.versions.node.startsWith('20.') ? 'node@24' : 'node@20';
  try {
    const bin = execFileSync('npx', ['-y', '-p', spec, 'node', '-p', 'process.execPath'], {
      encoding: 'utf8',
      timeout: 240_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return { bin };
  } catch (error) {
    return { missing: `npx -p ${spec} failed: ${(error as Error).message}` };
  }
}

describe.skipIf(redisMissing)('a client and a worker on different Node majors', () => {
  const on = useRedisPools({ db: 0 });
  let worker: WorkerProcess | undefined;
  let missing: string | undefined;
  let pool: Pool;

  beforeAll(async () => {
    const other = otherNode();
    if ('missing' in other) missing = other.missing;
    else worker = await startWorkerProcess(on.redis.url, [], {}, other.bin);
    pool = on.pool({ processes: 2 });
  }, 300_000);
  afterAll(() => worker?.stop(), 30_000);

  test('errors with a cause and own fields go both ways: arguments, results, thrown errors', {
    timeout: 60_000,
  }, async (ctx) => {
    if (missing !== undefined) ctx.skip(missing);
    const there = await pool.apply(tasks.nodeVersion);
    expect(there.split('.')[0]).not.toBe(process.versions.node.split('.')[0]);
    const back = shape(await pool.apply(tasks.echo, [fieldedError()])) as Record<string, any>;
    expect(back).toEqual(shape(fieldedError()));
    expect(shape(await pool.map(tasks.echo, [aggregate(), systemError()]))).toEqual(
      shape([aggregate(), systemError()]),
    );
    const made = shape(await pool.apply(tasks.errorValue, ['EMADE'])) as Record<string, any>;
    expect(made.error.cause.class).toBe('TypeError');
    const thrown = await pool.apply(tasks.throwIt, [fieldedError()]).catch((e: unknown) => e);
    expect(shape(thrown)).toEqual(shape(fieldedError()));
    const typeError = await pool.apply(tasks.typeError).catch((e: unknown) => e);
    expect((typeError as Error).cause).toBeInstanceOf(Error);
    expect((typeError as Error & { extra: number }).extra).toBe(42);
    const many = await pool.apply(tasks.throwIt, [aggregate()]).catch((e: unknown) => e);
    expect(shape(many)).toEqual(shape(aggregate()));
  });
});
