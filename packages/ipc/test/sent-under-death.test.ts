// What a worker sent before it is stopped is delivered when anything it sent afterwards was: a
// worker sends values on one pipe (or puts them), then 'done' on another, and is killed or
// terminated as soon as 'done' arrives. Every value must arrive, in order, then EOFError. Python:
// send() returns once the bytes are in the OS pipe, which outlives the sender. Before the fix, a
// thread's last batch waited for the end of its turn while 'done' left at once: 1588-1950 of 2000
// arrived.
import { EOFError, Pipe, Queue, QueueEmptyError } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { killProcesses, startProcess } from './core.js';
import type { Context } from './helpers.js';

const { tasks } = await import(new URL('./fixtures/death-tasks.mjs', import.meta.url).href);

const N = 2000;
// Each stop races the sender's last batch once; a few rounds make a regression show in one run.
const ROUNDS = 3;

afterEach(killProcesses);

async function stop(p: { kill(): void; terminate(): Promise<void>; join(): Promise<void> }, how: string) {
  if (how === 'kill') p.kill();
  else await p.terminate();
  await p.join();
}

describe.each(matrix(import.meta.url))('sent before a stop (%s)', (context) => {
  it.each(['kill', 'terminate'])('values sent on a pipe before %s() all arrive, in order', async (how) => {
    for (let round = 0; round < ROUNDS; round++) {
      const [mine, theirs] = Pipe<number>();
      const [flag, theirFlag] = Pipe<string>();
      const p = startProcess(context, tasks.sendThenDone, [theirs, theirFlag, N]);
      theirs.close();
      theirFlag.close();
      expect(await flag.recv()).toBe('done');
      await stop(p, how);
      let next = 0;
      let end: unknown;
      for (;;) {
        const v = await mine.recv().catch((err: unknown) => err);
        if (v instanceof EOFError) {
          end = v;
          break;
        }
        expect(v).toBe(next++);
      }
      expect(next).toBe(N);
      // Its writer was stopped: the end never says "nothing is left" (a loss it cannot rule out).
      expect((end as EOFError).message).toContain('lost');
      mine.close();
      flag.close();
    }
  });

  it.each(['kill', 'terminate'])('items put on a queue before %s() all arrive, in order', async (how) => {
    for (let round = 0; round < ROUNDS; round++) {
      const q = new Queue<number>();
      const [flag, theirFlag] = Pipe<string>();
      const p = startProcess(context, tasks.putThenDone, [q, theirFlag, N]);
      theirFlag.close();
      expect(await flag.recv()).toBe('done');
      await stop(p, how);
      const got: number[] = [];
      for (let i = 0; i < N; i++) got.push(await q.get({ timeout: 10_000 }));
      expect(got).toEqual(Array.from({ length: N }, (_, i) => i));
      await expect(q.get({ timeout: 300 })).rejects.toBeInstanceOf(QueueEmptyError);
      q.close();
      flag.close();
    }
  });
});
