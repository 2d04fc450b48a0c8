// A child process holding a copy of a Pipe() end or a queue is stopped by a signal (kill():
// SIGKILL; terminate(): SIGTERM, which runs no exit hook in Node), and every value sent to it is
// delivered once (CONTRACT, IPC: "A value is never lost silently"; Python's pipes and queues hand
// each value out once):
// - bytes of 16 KiB or more that its copy read ahead and never handed to its code are read by this
//   program's own copy of the end: the home wrote them from the sender's memory and kept nothing,
//   so they were lost (5 of 5 runs);
// - a value its code took (recv(), get()) before it ran on without yielding is not handed out
//   again: its copy's report of what it took left only at the end of its turn, so the home served
//   the value to the next reader a second time (10 of 10 runs).
// A worker thread stopped the same way is checked too (it lost and doubled nothing before either).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JoinableQueue, Pipe, Queue, SimpleQueue } from '@multiproc/ipc';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { killProcesses, startProcess } from './core.js';

const { tasks } = await import(
  new URL('./fixtures/process-stopped-delivery-tasks.mjs', import.meta.url).href
);

const dir = mkdtempSync(join(tmpdir(), 'mp-stopped-'));
afterEach(killProcesses);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BIG = 20_000; // past the 16 KiB from which a socket's sendBytes() writes the caller's bytes
let markers = 0;

async function stop(p: any, how: 'kill' | 'terminate'): Promise<void> {
  if (how === 'kill') p.kill();
  else await p.terminate();
  await p.join(10_000);
  expect(p.exitCode).toBe(how === 'kill' ? -9 : -15);
}

// Resolves once the child wrote `marker` (it took its value and spins now).
async function markerWritten(marker: string): Promise<unknown> {
  const until = Date.now() + 20_000;
  while (!existsSync(marker)) {
    if (Date.now() > until) throw new Error('the child never took its value');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await new Promise((resolve) => setTimeout(resolve, 20)); // the marker's text is whole
  return JSON.parse(readFileSync(marker, 'utf8'));
}

describe('a child process stopped by a signal: each value delivered once', () => {
  it.each(['kill', 'terminate'] as const)(
    'bytes it read ahead come back after %s()',
    { timeout: 30_000 },
    async (how) => {
      const [client, server] = Pipe();
      const p = startProcess('process', tasks.holdBytes, [server]);
      const first = new Uint8Array(BIG).fill(1);
      const second = new Uint8Array(BIG).fill(2);
      client.sendBytes(first);
      expect(await client.recvBytes()).toEqual(first);
      client.sendBytes(second);
      second.fill(9); // the sender may reuse its buffer once sendBytes() returned
      expect(await client.recv()).toBe('holding'); // its copy holds the second, unread
      await stop(p, how);
      expect(await server.poll(5_000)).toBe(true);
      expect(await server.recvBytes()).toEqual(new Uint8Array(BIG).fill(2));
      expect(await server.poll()).toBe(false);
      client.close();
      server.close();
    },
  );

  it.each(['kill', 'terminate'] as const)(
    'a value its recv() took is not handed out again after %s()',
    { timeout: 30_000 },
    async (how) => {
      const [client, server] = Pipe();
      const marker = join(dir, `m${markers++}`);
      const p = startProcess('process', tasks.takeThenSpin, [server, marker]);
      client.send({ n: 1 });
      expect(await markerWritten(marker)).toEqual({ n: 1 });
      client.send({ n: 2 }); // never taken: it comes here
      await stop(p, how);
      expect(await server.recv()).toEqual({ n: 2 });
      expect(await server.poll(300)).toBe(false);
      client.close();
      server.close();
    },
  );

  it('a value its recv() took from what it read ahead, after working on the one before, is not handed out again', {
    timeout: 30_000,
  }, async () => {
    const [client, server] = Pipe();
    const marker = join(dir, `m${markers++}`);
    const p = startProcess('process', tasks.takeThenSpin, [server, marker, 2]);
    client.send({ n: 1 });
    client.send({ n: 2 }); // same batch: read ahead while the first is worked on
    expect(await markerWritten(marker)).toEqual([{ n: 1 }, { n: 2 }]);
    client.send({ n: 3 });
    await stop(p, 'kill');
    expect(await server.recv()).toEqual({ n: 3 });
    expect(await server.poll(300)).toBe(false);
    client.close();
    server.close();
  });

  // A thread's copy records what it took in shared memory, which its home reads when it ends: the
  // same holds there (a guard: it held before too).
  it.each(['kill', 'terminate'] as const)(
    'thread context: a taken value is not handed out again after %s()',
    {
      timeout: 30_000,
    },
    async (how) => {
      const [client, server] = Pipe();
      const marker = join(dir, `m${markers++}`);
      const p = startProcess('thread', tasks.takeThenSpin, [server, marker, 2]);
      client.send({ n: 1 });
      client.send({ n: 2 });
      expect(await markerWritten(marker)).toEqual([{ n: 1 }, { n: 2 }]);
      client.send({ n: 3 });
      if (how === 'kill') p.kill();
      else await p.terminate();
      await p.join(10_000);
      expect(await server.recv()).toEqual({ n: 3 });
      expect(await server.poll(300)).toBe(false);
      client.close();
      server.close();
    },
  );

  it.each([
    ['Queue', 'kill', () => new Queue()],
    ['SimpleQueue', 'terminate', () => new SimpleQueue()],
    ['JoinableQueue', 'kill', () => new JoinableQueue()],
  ] as const)(
    'an item a %s get() took is not handed out again after %s()',
    { timeout: 30_000 },
    async (_, how, make) => {
      const q: any = make();
      const marker = join(dir, `m${markers++}`);
      const p = startProcess('process', tasks.takeThenSpin, [q, marker]);
      await q.put({ n: 1 });
      expect(await markerWritten(marker)).toEqual({ n: 1 });
      await q.put({ n: 2 });
      await stop(p, how);
      expect(await q.get()).toEqual({ n: 2 });
      await new Promise((resolve) => setTimeout(resolve, 300)); // an item handed out again would be back by now
      expect(q.empty()).toBe(true);
      q.close();
    },
  );
});
