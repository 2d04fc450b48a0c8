/**
 * The BullMQ Pool meets a user as the local Pool does: Python's spellings and piscina's, tinypool's
 * and workerpool's member names throw `ValidationError` with advice (a dependency probing one reads
 * `undefined`), `using` without `await` says to write `await using`, the constructor reads `null` as
 * not given and answers a bad option with the local Pool's hints, a call's timeout that looks like
 * Python's seconds says so, and every submitting method refuses after `close()` and `terminate()`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inspect } from 'node:util';
import { Pool as LocalPool, PoolClosedError, TimeoutError, ValidationError } from '@multiproc/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Pool } from '../dist/index.js';
import { tasks } from './fixtures/tasks.mjs';
import { type RedisServer, redisMissing, startRedis } from './redis.js';
import { SECRET } from './workers.js';

/** What `fn` threw (`undefined` when it returned). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** Asserts `fn` throws `ValidationError` whose message matches `pattern`. */
function refused(fn: () => unknown, pattern: RegExp): void {
  const error = thrown(fn);
  expect(error).toBeInstanceOf(ValidationError);
  expect((error as ValidationError).code).toBe('MP_VALIDATION');
  expect((error as Error).message).toMatch(pattern);
}

// Names whose advice is the local Pool's, word for word.
const SAME_ADVICE = [
  'apply_async',
  'map_async',
  'starmap_async',
  'imap_unordered',
  'run',
  'exec',
  'destroy',
  'threads',
  'queueSize',
  'completed',
  'proxy',
  'cancelPendingTasks',
];

const dir = mkdtempSync(join(tmpdir(), 'bullmq-pool-names-'));

describe.skipIf(redisMissing)(
  'the BullMQ Pool meets a user as the local Pool does',
  { timeout: 30_000 },
  () => {
    let redis: RedisServer;
    const pools: Pool[] = [];
    const pool = (options: ConstructorParameters<typeof Pool>[0] = {}) => {
      const made = new Pool({ connection: redis.url, secret: SECRET, noWorkerWarning: false, ...options });
      pools.push(made);
      return made;
    };

    beforeAll(async () => {
      redis = await startRedis({ db: 3 });
    }, 30_000);

    afterAll(async () => {
      await Promise.all(pools.map((p) => p.terminate()));
      await redis?.stop();
      rmSync(dir, { recursive: true, force: true });
    }, 30_000);

    test("Python's and other Node pools' names throw the local Pool's advice", () => {
      const p = pool();
      for (const name of SAME_ADVICE) {
        const local = thrown(() => Reflect.get(LocalPool.prototype, name)) as Error;
        expect(local, name).toBeInstanceOf(ValidationError);
        const ours = thrown(() => (p as any)[name]) as Error;
        expect(ours, name).toBeInstanceOf(ValidationError);
        expect(ours.message, name).toBe(local.message);
      }
      refused(() => (p as any).apply_async(tasks.square, [2]), /write applyAsync\(\)/);
      // Advice that fits a pool whose workers run elsewhere.
      refused(() => (p as any).needsDrain, /no needsDrain here.*inflight/);
      refused(() => (p as any).recycleWorkers, /multiproc-worker with --max-tasks-per-child/);
      refused(() => (p as any).context, /multiproc-worker --context/);
      // Not enumerable: they are no part of the pool's own fields.
      expect(Object.keys(Object.getPrototypeOf(p))).not.toContain('destroy');
    });

    test('a dependency probing one of those names reads undefined', async () => {
      const lib = join(dir, 'node_modules', 'cleanup-lib');
      mkdirSync(lib, { recursive: true });
      writeFileSync(
        join(lib, 'index.mjs'),
        'export function dispose(x) { return typeof x.destroy === "function" ? x.destroy() : "none"; }\n' +
          'export function probe(x) { return [x.run, x.apply_async, x[Symbol.dispose]]; }\n',
      );
      const { dispose, probe } = await import(pathToFileURL(join(lib, 'index.mjs')).href);
      const p = pool();
      expect(dispose(p)).toBe('none');
      expect(probe(p)).toEqual([undefined, undefined, undefined]);
    });

    test('`using` (not `await using`) throws ValidationError naming `await using`; `await using` terminates', async () => {
      const p = pool();
      let ran = false;
      const error = thrown(() => {
        // the mistake under test, which the types refuse (TS2850)
        using q = p as any;
        ran = q !== undefined;
      });
      expect(ran).toBe(false);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as Error).message).toMatch(/await using pool = new Pool/);
      {
        await using q = p;
        expect(q).toBe(p);
      }
      expect(thrown(() => p.applyAsync(tasks.square, [1]))).toBeInstanceOf(PoolClosedError);
    });

    test('the constructor reads null as not given and refuses what the local Pool refuses', () => {
      expect(pool({ processes: null } as any).processes).toBeGreaterThan(0);
      // null (Python's None) is no options: the secret and Redis then come from the environment.
      const saved = [process.env.MULTIPROC_SECRET, process.env.REDIS_URL];
      process.env.MULTIPROC_SECRET = SECRET;
      process.env.REDIS_URL = redis.url;
      try {
        pools.push(new Pool(null as any));
      } finally {
        for (const [i, key] of (['MULTIPROC_SECRET', 'REDIS_URL'] as const).entries()) {
          if (saved[i] === undefined) delete process.env[key];
          else process.env[key] = saved[i];
        }
      }
      refused(() => new Pool({ secret: SECRET, processes: 4097 }), /'processes'.*from 1 to 4096/);
      refused(() => new Pool([] as any), /options are an object.*got an array/);
      refused(() => new Pool(4 as any), /For 4 workers write new Pool\(\{ processes: 4 \}\)/);
    });

    test("an unknown option gets the local Pool's hints, or where it belongs for a pool on BullMQ", () => {
      const hints: Record<string, RegExp> = {
        colour: /nknown option 'colour' for new Pool\(\): it takes connection, secret/,
        proceses: /it is spelt processes/,
        Prefix: /it is spelt prefix/,
        // Python's spelling of an option that belongs to the workers: the spelling and the flag.
        maxtasksperchild: /maxTasksPerChild.*--max-tasks-per-child/,
        start_method: /context.*--context thread or --context process/,
        // piscina's, tinypool's and workerpool's options.
        maxThreads: /maxThreads.*--concurrency <n>/,
        minWorkers: /--concurrency <n>/,
        runtime: /--context thread or --context process/,
        isolateWorkers: /--max-tasks-per-child/,
        workerData: /top level of a task module/,
        maxQueueSize: /jobs wait in Redis/,
        env: /multiproc-worker/,
        filename: /every call names its task/,
        closeTimeout: /call close\(\), then await join\(\)/,
      };
      for (const [option, pattern] of Object.entries(hints)) {
        refused(() => new Pool({ secret: SECRET, [option]: 1 } as any), pattern);
      }
    });

    test("a call's timeout that looks like Python's seconds says so, as the local Pool's does", async () => {
      const p = pool();
      const error = await p.apply(tasks.square, [2], { timeout: 5 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TimeoutError);
      expect((error as Error).message).toMatch(/in milliseconds here: if 5 was meant as seconds.*give 5000/);
      const mapped = await p.map(tasks.square, [1, 2], { timeout: 5 }).catch((e: unknown) => e);
      expect((mapped as Error).message).toMatch(/give 5000/);
    });

    test('every submitting method refuses after close() and after terminate(): Promises reject, the others throw', async () => {
      for (const stop of ['close', 'terminate'] as const) {
        const p = pool();
        if (stop === 'close') p.close();
        else await p.terminate();
        for (const method of ['apply', 'map', 'starmap'] as const) {
          const input = method === 'apply' ? [1] : method === 'map' ? [1] : [[1, 2]];
          const task = method === 'starmap' ? tasks.add : tasks.square;
          let call: Promise<unknown> | undefined;
          expect(() => (call = (p as any)[method](task, input)), `${stop} ${method}`).not.toThrow();
          await expect(call).rejects.toBeInstanceOf(PoolClosedError);
        }
        for (const method of ['applyAsync', 'mapAsync', 'starmapAsync', 'imap', 'imapUnordered'] as const) {
          const input = method === 'starmapAsync' ? [[1, 2]] : [1];
          const task = method === 'starmapAsync' ? tasks.add : tasks.square;
          expect(
            thrown(() => (p as any)[method](task, input)),
            `${stop} ${method}`,
          ).toBeInstanceOf(PoolClosedError);
        }
        await p.join();
      }
    });

    test('console.log and String() show the state and size, as for the local Pool', async () => {
      const p = pool({ processes: 2 });
      expect(inspect(p, { breakLength: Infinity })).toMatch(
        /^Pool \{ state: 'running', processes: 2, keyPrefix: 'multiproc:pool-[0-9a-f]+:' \}$/,
      );
      expect(String(p)).toMatch(/^<Pool state=running processes=2 keyPrefix=multiproc:pool-[0-9a-f]+:>$/);
      p.close();
      expect(inspect(p)).toMatch(/state: 'closed'/);
      await p.terminate();
      expect(String(p)).toMatch(/state=terminated/);
    });
  },
);
