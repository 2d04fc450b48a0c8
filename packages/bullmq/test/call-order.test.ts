/**
 * Calls start in the order they were made, as on the local pool (core's `job-order.ts`) and in
 * Python: one worker of concurrency 1 serves the pool, and each task appends its tag to a file as
 * it starts, so the file lists the start order. A map sends its chunks a window at a time, yet a
 * call made after it starts after its last item; a map over an async iterable holds nothing up.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { Pool } from '../dist/index.js';
import { orderTasks as t } from './fixtures/order-tasks.mjs';
import { type RedisServer, redisMissing, startRedis } from './redis.js';
import { SECRET, startWorkerProcess, type WorkerProcess } from './workers.js';

const TASKS = fileURLToPath(new URL('./fixtures/order-tasks.mjs', import.meta.url));
// No job is taken back as stalled on a loaded machine: a job run twice would be stamped twice.
const STEADY = ['--lock-duration', '15000', '--stalled-interval', '5000', '--ttl', '15000'];
const dir = mkdtempSync(join(tmpdir(), 'mp-order-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
/** A fresh file to stamp, and what was stamped in it so far, in start order. */
function log() {
  const path = join(dir, `order-${++files}.log`);
  return {
    path,
    started: (): string[] => {
      try {
        return readFileSync(path, 'utf8').split('\n').filter(Boolean);
      } catch {
        return [];
      }
    },
  };
}
const tags = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe.skipIf(redisMissing)('call order (one worker of concurrency 1)', () => {
  let redis: RedisServer;
  let w: WorkerProcess;
  const pools: Pool[] = [];
  const pool = (options = {}) => {
    const p = new Pool({ connection: redis.url, secret: SECRET, ...options });
    pools.push(p);
    return p;
  };

  beforeAll(async () => {
    redis = await startRedis({ db: 11 });
    w = await startWorkerProcess(redis.url, ['--tasks', TASKS, '--concurrency', '1', ...STEADY]);
  }, 60_000);
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.terminate()));
  }, 30_000);
  afterAll(async () => {
    await w?.stop('SIGKILL');
    await redis?.stop();
  });

  test('map of 8 items (chunksize 1, a window of 4) then apply: the apply starts after them', async () => {
    const p = pool({ processes: 1 });
    const { path, started } = log();
    const items = tags('m', 8).map((tag) => ({ path, tag }));
    const map = p.map(t.stampItem, items, { chunksize: 1 });
    const apply = p.apply(t.stamp, [path, 'a']);
    expect(await map).toEqual(tags('m', 8));
    expect(await apply).toBe('a');
    expect(started()).toEqual([...tags('m', 8), 'a']);
  }, 30_000);

  test('interleaved calls of every form start in call order', async () => {
    const p = pool({ processes: 1 });
    const { path, started } = log();
    const item = (tag: string) => ({ path, tag });
    function* generated() {
      for (const tag of tags('c', 7)) yield item(tag);
    }
    const calls = [
      p.map(t.stampItem, tags('a', 6).map(item), { chunksize: 1 }),
      p.apply(t.stamp, [path, 'b']),
      p.map(t.stampItem, generated(), { chunksize: 2 }), // a sync iterable of unknown length
      p.applyAsync(t.stamp, [path, 'd']).get(),
      p.starmap(
        t.stamp,
        tags('e', 6).map((tag) => [path, tag] as [string, string]),
        { chunksize: 1 },
      ),
      p.mapAsync(t.stampItem, tags('f', 5).map(item), { chunksize: 1 }).get(),
      p.apply(t.stamp, [path, 'g']),
    ];
    await Promise.all(calls);
    expect(started()).toEqual([
      ...tags('a', 6),
      'b',
      ...tags('c', 7),
      'd',
      ...tags('e', 6),
      ...tags('f', 5),
      'g',
    ]);
  }, 30_000);

  test('a map that first counts the serving workers still starts before a later apply', async () => {
    // No `processes` and no `chunksize`: the map asks Redis how many workers serve before it sends.
    const p = pool();
    const { path, started } = log();
    const map = p.map(
      t.stampItem,
      tags('m', 12).map((tag) => ({ path, tag })),
    );
    const apply = p.apply(t.stamp, [path, 'a']);
    await Promise.all([map, apply]);
    expect(started()).toEqual([...tags('m', 12), 'a']);
  }, 30_000);

  test('a large argument (held in its own key) does not let a later call overtake it', async () => {
    const p = pool({ processes: 1 });
    const { path, started } = log();
    const pad = 'x'.repeat(256 * 1024);
    await p.apply(t.stamp, [path, 'ready']); // connected: each call below is sent as it is made
    const first = p.apply(t.stamp, [path, 'big', pad]);
    // The next call in a later turn: while the first one's argument is still being stored.
    await new Promise((resolve) => setImmediate(resolve));
    const second = p.apply(t.stamp, [path, 'small']);
    expect(await Promise.all([first, second])).toEqual([`big+${pad.length}`, 'small']);
    expect(started()).toEqual(['ready', 'big', 'small']);
  }, 30_000);

  test("a job retried after its task threw (attempts) goes behind the calls made since: BullMQ's retry", async () => {
    const p = pool({ processes: 1, attempts: 2 });
    const { path, started } = log();
    const flaky = p.apply(t.stampFlaky, [path, 'f', join(dir, `marker-${files}`)]);
    const next = p.apply(t.stamp, [path, 'b']);
    expect(await Promise.all([flaky, next])).toEqual(['f', 'b']);
    expect(started()).toEqual(['f', 'b', 'f']);
  }, 30_000);

  test('a map over an async iterable holds nothing up: a later apply runs while it waits', async () => {
    const p = pool({ processes: 1 });
    const { path, started } = log();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    async function* input() {
      yield { path, tag: 'x0' };
      await gate; // opened only once the apply made after this map has run
      yield { path, tag: 'x1' };
    }
    const map = p.map(t.stampItem, input(), { chunksize: 1 });
    expect(await p.apply(t.stamp, [path, 'a'])).toBe('a');
    release();
    expect(await map).toEqual(['x0', 'x1']);
    // Its first item may start before or after the apply; its second comes after.
    expect([...started()].sort()).toEqual(['a', 'x0', 'x1']);
    expect(started().at(-1)).toBe('x1');
  }, 30_000);
});
