// Python-style busy loops (`while not conn.poll(): pass`, `q.get(False)` until it answers, `wait()`
// without reading) make progress: an answer "nothing yet" settles after the event loop had a turn
// to read what arrived, so the data a peer sent is seen. Each loop is bounded by a bail-out (an
// `await` of an at-once answer never yields to timers, so no test timeout could stop it).
import { type Connection, Pipe, Queue, QueueEmptyError, wait } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { killProcesses, startProcess } from './core.js';
import { connectedPair } from './net-kit.js';

const { tasks } = await import(new URL('./fixtures/tasks.mjs', import.meta.url).href);

afterEach(killProcesses);

const BAIL_MS = 15_000;

/** Calls `attempt` until it gives a value (not undefined), or gives up after BAIL_MS: undefined. */
async function spin<T>(attempt: () => Promise<T | undefined>): Promise<T | undefined> {
  const t0 = Date.now();
  while (Date.now() - t0 < BAIL_MS) {
    const v = await attempt();
    if (v !== undefined) return v;
  }
  return undefined;
}

async function pollUntilData(conn: Connection): Promise<boolean | undefined> {
  return spin(async () => ((await conn.poll()) ? true : undefined));
}

describe('a busy poll() loop', () => {
  it('sees a message a Client sends from a timer of this thread (Listener/Client)', async () => {
    const { c, s } = await connectedPair();
    setTimeout(() => c.send('x'), 20);
    expect(await pollUntilData(s)).toBe(true);
    expect(await s.recv()).toBe('x');
  }, 30_000);

  it.each(matrix(import.meta.url))(
    'sees the echo of a %s worker (Pipe)',
    async (context) => {
      const [a, b] = Pipe();
      startProcess(context, tasks.echo, [b]);
      b.close();
      a.send('ping');
      expect(await pollUntilData(a)).toBe(true);
      expect(await a.recv()).toBe('ping');
      a.close();
    },
    30_000,
  );
});

describe('a busy get({ block: false }) loop', () => {
  it.each(matrix(import.meta.url))(
    'gets the item a %s worker puts',
    async (context) => {
      const q = new Queue<[number, number]>();
      startProcess(context, tasks.produce, [q, 7, 1]);
      const got = await spin(async () => {
        try {
          return await q.get({ block: false });
        } catch (err) {
          if (!(err instanceof QueueEmptyError)) throw err;
          return undefined;
        }
      });
      expect(got).toEqual([7, 0]);
      q.close();
    },
    30_000,
  );
});

describe('wait() in a loop that does not read', () => {
  it('reports every ready object, also a Listener connection beside a pipe and a queue', async () => {
    const { c, s } = await connectedPair();
    const [a, b] = Pipe();
    const q = new Queue<number>();
    b.send(1);
    await q.put(2);
    c.send(3);
    const all = await spin(async () => {
      const ready = await wait([a, q, s], 1000);
      return ready.length === 3 ? ready : undefined;
    });
    expect(all).toEqual([a, q, s]);
    expect([await a.recv(), await q.get(), await s.recv()]).toEqual([1, 2, 3]);
  }, 30_000);

  it('reports a Listener connection and a pipe end whose peers sent in the same tick, on the first wait (Python: select sees both)', async () => {
    const { c, s } = await connectedPair();
    const [a, b] = Pipe();
    for (let round = 0; round < 5; round++) {
      c.send(round);
      b.send(round);
      expect(await wait([s, a], 2000)).toEqual([s, a]);
      expect([await s.recv(), await a.recv()]).toEqual([round, round]);
      c.send('again');
      expect(await s.poll()).toBe(true);
      expect(await s.recv()).toBe('again');
    }
    a.close();
    b.close();
  }, 30_000);
});
