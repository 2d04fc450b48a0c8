/**
 * Redis credentials and TLS pass through to BullMQ, on the pool (ioredis options) and on the
 * worker command (URL credentials, `rediss://` with `--tls-ca`); an unreachable or refusing Redis
 * fails calls with `RedisConnectionError` instead of hanging.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { Pool, RedisConnectionError, startWorker } from '../dist/index.js';
import { tasks } from './fixtures/tasks.mjs';
import { type RedisServer, redisMissing, startRedis } from './redis.js';
import { SECRET, startWorkerProcess, TASKS, type WorkerProcess } from './workers.js';

const PASSWORD = 'pw-s3cret';

describe.skipIf(redisMissing || process.env.REDIS_URL)('credentials and TLS', () => {
  let dir: string;
  let cert: string;
  const servers: RedisServer[] = [];
  const workers: WorkerProcess[] = [];
  const pools: Pool[] = [];
  const pool = (connection: any, options = {}) => {
    const p = new Pool({ connection, secret: SECRET, ...options });
    pools.push(p);
    return p;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mp-bullmq-tls-'));
    cert = join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
  });
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.terminate()));
    await Promise.all(workers.splice(0).map((w) => w.stop()));
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('a password: URL credentials for the worker, ioredis options for the pool', async () => {
    const redis = await startRedis({ password: PASSWORD });
    servers.push(redis);
    workers.push(
      await startWorkerProcess(`redis://:${PASSWORD}@127.0.0.1:${redis.port}`, ['--concurrency', '1']),
    );
    const p = pool({ host: '127.0.0.1', port: redis.port, password: PASSWORD });
    expect(await p.apply(tasks.square, [6])).toBe(36);
    // Refused credentials are final: reported at once, not after connectTimeout (past this test's bound).
    const wrong = pool(
      { host: '127.0.0.1', port: redis.port, password: 'nope' },
      { connectTimeout: 600_000 },
    );
    const error = await wrong.apply(tasks.square, [6]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisConnectionError);
    expect((error as RedisConnectionError).code).toBe('MP_REDIS_CONNECTION');
    expect(String((error as Error).cause)).toMatch(/WRONGPASS|NOAUTH|invalid/i);
    // Redis was reached: the error says the credentials were refused, not "Cannot reach".
    expect((error as Error).message).toMatch(/refused the credentials: \S/);
    expect((error as Error).message).not.toMatch(
      /Cannot reach|Start redis-server|once Redis is reachable|\.\./,
    );
    const url = `redis://:nope@127.0.0.1:${redis.port}`;
    const refused = await startWorker({
      tasks: [TASKS],
      connection: url,
      secret: SECRET,
      connectTimeout: 600_000,
    })
      .then((w) => w.stop())
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RedisConnectionError);
    expect((refused as Error).message).toMatch(/refused the credentials/);
  }, 60_000);

  test("an ACL user without rights on the prefix's keys: RedisConnectionError saying what to grant", async () => {
    const redis = await startRedis();
    servers.push(redis);
    await redis.client.call('ACL', 'SETUSER', 'limited', 'on', '>limpw', '~bbx:*', '&*', '+@all');
    const url = `redis://limited:limpw@127.0.0.1:${redis.port}`;
    for (const failure of [
      await pool(url)
        .map(tasks.square, [1, 2])
        .catch((e: unknown) => e),
      await startWorker({ tasks: [TASKS], connection: url, secret: SECRET }).catch((e: unknown) => e),
    ]) {
      expect(failure).toBeInstanceOf(RedisConnectionError);
      expect((failure as Error).message).toMatch(/keys of prefix 'multiproc' \(NOPERM/);
      expect((failure as Error).message).toContain('~multiproc:*');
      expect(String((failure as Error).cause)).toMatch(/NOPERM/);
    }
    // Inside the user's key pattern, the same user works.
    workers.push(await startWorkerProcess(url, ['--concurrency', '1', '--prefix', 'bbx']));
    expect(await pool(url, { prefix: 'bbx' }).map(tasks.square, [1, 2])).toEqual([1, 4]);
  }, 60_000);

  test('TLS: rediss:// with a CA for the worker (--tls-ca) and the pool (tls option)', async () => {
    const redis = await startRedis({ tls: { cert, key: join(dir, 'key.pem') } });
    servers.push(redis);
    workers.push(await startWorkerProcess(redis.url, ['--concurrency', '1', '--tls-ca', cert]));
    const p = pool({ url: redis.url, tls: { ca: readFileSync(cert) } });
    expect(await p.map(tasks.square, [1, 2, 3])).toEqual([1, 4, 9]);
  }, 60_000);

  test('a Unix socket: its path, or a unix:// URL, for the worker and the pool, as ioredis takes them', async () => {
    // Both were refused ('has no scheme', 'must start with redis://'), and the advice given for the
    // path, redis:///path, connected to 127.0.0.1:6379 instead (ioredis reads that path as the db).
    const socket = join(dir, 'r.sock');
    const redis = await startRedis({ unixSocket: socket });
    servers.push(redis);
    workers.push(await startWorkerProcess(`unix://${socket}`, ['--concurrency', '1']));
    expect(await pool(socket).map(tasks.square, [1, 2, 3])).toEqual([1, 4, 9]);
    expect(await pool(`unix:${socket}?db=0`).apply(tasks.square, [4])).toBe(16);
    expect(await pool({ url: `unix://${socket}` }).apply(tasks.square, [5])).toBe(25);
  }, 60_000);

  test('nothing listening: calls reject with RedisConnectionError', async () => {
    const redis = await startRedis();
    await redis.stop();
    const p = pool(redis.url, { connectTimeout: 500 });
    await expect(p.apply(tasks.square, [1])).rejects.toBeInstanceOf(RedisConnectionError);
    await expect(p.map(tasks.square, [1])).rejects.toBeInstanceOf(RedisConnectionError);
  }, 60_000);
});

describe.skipIf(redisMissing)('the connect timeout counts only time the event loop could wait', () => {
  let redis: RedisServer;
  let worker: WorkerProcess;

  beforeAll(async () => {
    redis = await startRedis({ db: 14 });
    worker = await startWorkerProcess(redis.url, ['--concurrency', '1']);
  }, 60_000);
  afterAll(async () => {
    await worker?.stop();
    await redis?.stop();
  });

  test('synchronous work longer than connectTimeout right after new Pool() is no RedisConnectionError', async () => {
    const p = new Pool({ connection: redis.url, secret: SECRET, connectTimeout: 500 });
    try {
      // The socket gets no turn while the loop is blocked: that time is not the connection's.
      const until = performance.now() + 1500;
      while (performance.now() < until) {}
      expect(await p.apply(tasks.square, [3])).toBe(9);
    } finally {
      await p.terminate();
    }
  }, 30_000);
});
