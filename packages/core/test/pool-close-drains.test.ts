// After close(), a pool's workers end as a Process ends: once their event loop is empty, so what a
// task left behind (a timer that prints or puts) runs before join() resolves, as Python's workers
// join their non-daemon threads. A worker left with an endless interval keeps join() waiting (as
// Python's does), NODE_DEBUG=multiproc says which; terminate() still stops workers at once.
import { once } from 'node:events';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { Pool } from '@multiproc/core';
import { Queue } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { tasks } from './fixtures/loop-dry-tasks.mjs';
import { runProgram } from './helpers.ts';

const CONTEXTS = matrix(import.meta.url);

const queues: Queue<string>[] = [];
const pools: Pool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.terminate()));
  for (const q of queues.splice(0)) q.close();
});

function setUp(context: (typeof CONTEXTS)[number]): { pool: Pool; q: Queue<string> } {
  const pool = new Pool({ processes: 2, context });
  const q = new Queue<string>();
  pools.push(pool);
  queues.push(q);
  return { pool, q };
}

describe.each(CONTEXTS)('a closed %s pool', (context) => {
  it("join() waits for the timers its tasks left behind (shorter and longer than a polite stop's bound)", async () => {
    const { pool, q } = setUp(context);
    const left = [
      ['short-0', 50],
      ['short-1', 50],
      ['long-0', 1500],
      ['long-1', 1500],
    ] as const;
    await expect(
      pool.starmap(
        tasks.leaveTimer,
        left.map(([v, ms]) => [q, ms, v]),
        { chunksize: 1 },
      ),
    ).resolves.toEqual(['returned', 'returned', 'returned', 'returned']);
    pool.close();
    await pool.join();
    const got: string[] = [];
    while (got.length < left.length) got.push(await q.get({ timeout: 5000 }));
    expect(got.sort()).toEqual(['long-0', 'long-1', 'short-0', 'short-1']);
  }, 30_000);

  it('join() does not wait for sockets: workers whose initializer keeps a TCP connection open end promptly', async () => {
    const peers: Socket[] = [];
    const server = createServer((socket) => {
      peers.push(socket);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const pool = new Pool({ processes: 2, context, initializer: tasks.connectTo, initargs: [port] });
      pools.push(pool);
      await expect(pool.map(tasks.sleep, [20, 20, 20, 20], { chunksize: 1 })).resolves.toEqual([
        20, 20, 20, 20,
      ]);
      expect(peers.length).toBeGreaterThan(0);
      pool.close();
      const started = performance.now();
      const joined = await Promise.race([
        pool.join().then(() => true),
        new Promise<false>((resolve) => setTimeout(resolve, 2000, false)),
      ]);
      expect({ joined, ms: joined ? performance.now() - started < 2000 : 'timed out' }).toEqual({
        joined: true,
        ms: true,
      });
      // The workers' exit closed their connections, as a Python worker's exit does.
      await Promise.all(peers.filter((s) => !s.closed).map((s) => once(s, 'close')));
    } finally {
      for (const s of peers) s.destroy();
      server.close();
    }
  }, 30_000);

  it('terminate() stops a worker whose timer is pending at once: the timer never runs', async () => {
    const { pool, q } = setUp(context);
    await expect(pool.apply(tasks.leaveTimer, [q, 3000, 'late'])).resolves.toBe('returned');
    await pool.terminate();
    await expect(q.get({ timeout: 500 })).rejects.toMatchObject({ name: 'QueueEmptyError' });
  }, 30_000);

  it('an endless interval keeps join() waiting, NODE_DEBUG=multiproc names the worker, terminate() ends both', async () => {
    const { stdout, stderr, code } = await runProgram('linger.mjs', [context], { NODE_DEBUG: 'multiproc' });
    expect(stdout.split('\n')).toEqual([
      'returned',
      'joined before terminate: false',
      'joined after terminate: true',
      '',
    ]);
    expect(stderr).toMatch(/worker 1 \((pid|thread) \d+\) has not exited yet/);
    expect(code).toBe(0);
  }, 30_000);
});
