// Python's `conn.poll()` and `wait([conn], 0)` in a child see at once what the parent sent before
// starting it (the bytes wait in the OS pipe, and select() reports them). Here such a value waits
// at the pipe's or queue's home, in the parent: a copy in a child process asks for it when it first
// polls, and a poll() that does not wait answered false before the value had crossed (one turn of
// the event loop is shorter than a round trip to another process). Now it answers once the home
// has said what it held for that copy.
import { Pipe, Queue } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { killProcesses, startProcess } from './core.js';

const { tasks } = await import(new URL('./fixtures/sent-before-tasks.mjs', import.meta.url).href);

afterEach(killProcesses);

/** Runs `task(end, out)` in a worker of `context` and gives the two values it sends on `out`. */
async function twoAnswers(context: 'thread' | 'process', task: unknown, end: unknown): Promise<unknown[]> {
  const [rx, out] = Pipe({ duplex: false });
  try {
    const p = startProcess(context, task, [end, out]);
    const got = [await rx.recv(), await rx.recv()];
    await p.join(20_000);
    expect(p.exitCode).toBe(0);
    return got;
  } finally {
    rx.close();
    out.close();
  }
}

describe.each(['process', 'thread'] as const)(
  'in a %s worker, what was sent before it started',
  (context) => {
    it('is seen by poll() without a wait', async () => {
      const [a, b] = Pipe();
      a.send('before');
      expect(await twoAnswers(context, tasks.pollNow, b)).toEqual([true, 'before']);
      a.close();
      b.close();
    }, 30_000);

    it('is seen by wait([conn], 0)', async () => {
      const [a, b] = Pipe();
      a.send('before');
      expect(await twoAnswers(context, tasks.waitNow, b)).toEqual([1, 'before']);
      a.close();
      b.close();
    }, 30_000);

    it('is seen by wait([queue], 0)', async () => {
      const q = new Queue<string>();
      await q.put('before');
      expect(await twoAnswers(context, tasks.waitQueueNow, q)).toEqual([1, 'before']);
      q.close();
    }, 30_000);
  },
);
