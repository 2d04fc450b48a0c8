/**
 * Keys left by workers that did not stop cleanly: a worker frozen while its pool joined (it comes
 * back after the pool deleted its keys), and a worker SIGKILLed with no other worker on its prefix.
 * Also a pool's own cleanup when its connection is gone for good: it runs on a fresh one.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { Pool } from '../dist/index.js';
import { createClient, cutClient, resolveConnection } from '../dist/internal/connection.js';
import { Keys } from '../dist/internal/registry.js';
import { Signer } from '../dist/internal/signing.js';
import { cleanUp } from '../dist/pool/cleanup.js';
import { Liveness } from '../dist/pool/liveness.js';
import { tasks } from './fixtures/tasks.mjs';
import { type RedisServer, redisMissing, startRedis } from './redis.js';
import { SECRET, startWorkerProcess, type WorkerProcess } from './workers.js';

describe.skipIf(redisMissing)('cleanup after workers that did not stop cleanly', () => {
  let redis: RedisServer;
  const started: WorkerProcess[] = [];

  beforeAll(async () => {
    redis = await startRedis({ db: 7 });
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((w) => w.stop('SIGKILL')));
  }, 30_000);
  afterAll(() => redis?.stop());

  test('a worker frozen while its pool joins deletes the keys it wrote again once it resumes', async () => {
    const w = await startWorkerProcess(redis.url, ['--prefix', 'frozen']);
    started.push(w);
    const p = new Pool({ connection: redis.url, secret: SECRET, prefix: 'frozen' });
    expect(await p.map(tasks.square, [1, 2, 3])).toEqual([1, 4, 9]);
    const queue = p.keyPrefix.split(':').at(-2)!;
    w.child.kill('SIGSTOP');
    try {
      p.close();
      // The frozen worker's registration expires (--ttl 1500): the pool deletes its keys without it.
      await p.join();
    } finally {
      w.child.kill('SIGCONT');
    }
    await w.waitFor(new RegExp(`detached pool=${queue} `));
    expect(await redis.client.keys(`${p.keyPrefix}*`)).toEqual([]);
  }, 60_000);

  test("a pool's cleanup runs on a fresh connection when its own one will not come back", async () => {
    const prefix = 'fresh';
    const queue = 'pool-0123456789ab';
    const member = `${queue}.tag`;
    await redis.client.zadd(`${prefix}:pools`, Date.now() + 30_000, member);
    await redis.client.mset(`${prefix}:${queue}:meta`, '1', `${prefix}:${queue}:id`, '2');
    const connection = resolveConnection(redis.url, 'test');
    const own = createClient(connection, 'own');
    cutClient(own); // ended: it never reconnects, so only a fresh connection can do the cleanup
    const liveness = new Liveness();
    const signer = new Signer(Buffer.from(SECRET));
    const target = {
      connection,
      keys: new Keys(prefix),
      queue,
      member,
      signer,
      connectTimeout: 5000,
      liveness,
    };
    await cleanUp(own, target);
    expect(await redis.client.keys(`${prefix}:*`)).toEqual([]);
    // The fresh connection is closed again.
    expect(String(await redis.client.client('LIST'))).not.toMatch(`name=multiproc:${queue}:cleanup`);
  }, 30_000);

  test("a SIGKILLed worker's registry entry goes when no other worker of its prefix runs", async () => {
    const w = await startWorkerProcess(redis.url, ['--prefix', 'alone']);
    expect(await redis.client.zcard('alone:workers')).toBe(1);
    await w.stop('SIGKILL');
    // --ttl 1500: the entry lives that long after the last heartbeat, then the key expires.
    const deadline = Date.now() + 20_000;
    while ((await redis.client.exists('alone:workers')) === 1 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(await redis.client.exists('alone:workers')).toBe(0);
  }, 60_000);
});
