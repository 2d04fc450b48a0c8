/**
 * A stop signal that reaches `multiproc-worker` while it starts is honoured then, as one after its
 * start: while it connects (nothing listens yet), while it waits to join its prefix, and right after
 * its `connected` line with Redis frozen. It exits with 0 and the same `stopping`/`stopped` lines,
 * and leaves no entry of its own in the registry.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { freePort, type RedisServer, redisMissing, startRedis } from './redis.js';
import { launchWorkerProcess, ORDERLY, startWorkerProcess, type WorkerProcess } from './workers.js';

const OTHER = new URL('./fixtures/other.mjs', import.meta.url).pathname;

/** The worker stopped as after its start: exit code 0, `stopping` then `stopped`, no error. */
function expectOrderlyStop(w: WorkerProcess, code: number | null): void {
  expect(code).toBe(0);
  const events = w.lines.map((l) => l.split(' ')[1]);
  expect(events.slice(-1)).toEqual(['stopped']);
  expect(events).toContain('stopping');
}

// A shared REDIS_URL server cannot be frozen by a test.
describe.skipIf(redisMissing || process.env.REDIS_URL)('a stop signal while multiproc-worker starts', () => {
  let redis: RedisServer;
  const started: WorkerProcess[] = [];
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterEach(async () => {
    for (const w of started) w.child.kill('SIGCONT');
    await Promise.all(started.splice(0).map((w) => w.stop('SIGKILL')));
  }, 30_000);
  afterAll(() => redis?.stop());

  test.each(['SIGTERM', 'SIGINT'] as const)(
    '%s while it connects (nothing listens yet): it stops at once with 0, not with a connection error',
    async (signal) => {
      const url = `redis://127.0.0.1:${await freePort()}`;
      const { worker } = launchWorkerProcess(url, [], { NODE_DEBUG: 'multiproc' });
      started.push(worker);
      // Its first refused connection: it is waiting for Redis (for up to its 10 s connectTimeout).
      await new Promise<void>((resolve) => {
        worker.child.stderr!.on('data', (text: string) => {
          if (/ECONNREFUSED/.test(text)) resolve();
        });
      });
      // The old worker exited with 1 only once its 10 s connectTimeout ran out.
      expectOrderlyStop(worker, await worker.stop(signal, ORDERLY));
      expect(worker.lines.join('\n')).not.toMatch(/ connected /);
    },
    30_000,
  );

  // Two workers' starts (Node, BullMQ, a local pool): 3.6 s of CPU for the file's one test
  // (MULTIPROC_CPU_LOG), and the 2 s a ping is given: 26-29 s beside every other suite (load 37),
  // against the 30 s it had. It gets 60 s.
  test('SIGTERM while it waits to join beside a frozen worker: it stops at once, leaving no entry', async () => {
    const frozen = await startWorkerProcess(redis.url, ['--prefix', 'joining', '--ttl', '120000']);
    started.push(frozen);
    frozen.child.kill('SIGSTOP');
    const { worker } = launchWorkerProcess(redis.url, ['--prefix', 'joining', '--tasks', OTHER]);
    started.push(worker);
    await worker.waitFor(/ join waiting .*did not answer a ping/);
    // The old worker waited out the frozen one's 120 s entry before it saw the signal.
    expectOrderlyStop(worker, await worker.stop('SIGTERM', ORDERLY));
    const entries = await redis.client.zrange('joining:workers', 0, -1);
    expect(entries.map((e) => JSON.parse(e).pid)).toEqual([frozen.pid]);
  }, 60_000);

  test('SIGTERM right after `connected`, Redis frozen: it exits once its grace period is over', async () => {
    const { worker, connected } = launchWorkerProcess(redis.url, ['--prefix', 'frozen', '--grace', '2000']);
    started.push(worker);
    const pid = Number(/process_id:(\d+)/.exec(await redis.client.info('server'))![1]);
    await connected;
    // Its first heartbeat is on its way (start() awaits it): Redis answers nothing from now on.
    process.kill(pid, 'SIGSTOP');
    try {
      const t0 = performance.now();
      const code = await worker.stop('SIGTERM', ORDERLY);
      // 2 s of grace, 1 s for a PING to go unanswered, then the local pool closes. The old worker
      // waited for its first heartbeat, which a frozen Redis never answers (it got no exit of its own).
      expect(performance.now() - t0).toBeLessThan(6000);
      expectOrderlyStop(worker, code);
      expect(worker.lines.join('\n')).toMatch(/ stop forced .*Redis unreachable past the grace period/);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
  }, 30_000);
});
