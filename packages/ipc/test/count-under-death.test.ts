// A thread copy stopped at any instant leaves a queue's shared count exact: `empty()` and `qsize()`
// agree with what `get()` can take. The count and the copy's own record of it changed in two
// Atomics calls, and `worker.terminate()` can land between two such calls (shared's
// terminate-points test): about one stop in 100 left `empty()` false with nothing to get, and a
// `while (!q.empty()) await q.get(1000)` failed with QueueEmptyError (a CI run of the reliability
// suite's process chaos). Now the record is a plain write right after the Atomics call.
import { Pipe, Queue } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { killProcesses, startProcess } from './core.js';

const { tasks } = await import(new URL('./fixtures/death-tasks.mjs', import.meta.url).href);

const ROUNDS = 15;

afterEach(killProcesses);

async function stopSoon(
  p: { kill(): void; terminate(): Promise<void>; join(): Promise<void> },
  round: number,
) {
  await new Promise((r) => setTimeout(r, round % 7));
  if (round % 2) p.kill();
  else await p.terminate();
  await p.join();
}

/** Takes everything `empty()` says is there; each get must answer within 1 s. */
async function drain(q: Queue<number>): Promise<number[]> {
  const got: number[] = [];
  while (!q.empty()) got.push(await q.get({ timeout: 1000 }));
  return got;
}

describe('a thread copy stopped at any instant leaves the count exact', () => {
  it.each([0, 100_000])(
    'putting (maxsize %i)',
    async (maxsize) => {
      for (let round = 0; round < ROUNDS; round++) {
        const q = new Queue<number>({ maxsize });
        const [flag, theirFlag] = Pipe<string>();
        const p = startProcess('thread', tasks.putHot, [q, theirFlag, 50_000]);
        expect(await flag.recv()).toBe('putting');
        await stopSoon(p, round);
        const got = await drain(q);
        expect(got).toEqual(got.map((_, i) => i)); // 0..k-1: in order, none twice
        expect(q.qsize()).toBe(0);
        q.close();
        flag.close();
      }
    },
    180_000,
  );

  it('getting', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const q = new Queue<number>();
      for (let i = 0; i < 20_000; i++) q.putNowait(i);
      const [flag, theirFlag] = Pipe<string>();
      const p = startProcess('thread', tasks.getHot, [q, theirFlag]);
      expect(await flag.recv()).toBe('getting');
      await stopSoon(p, round);
      const got = await drain(q);
      // What the copy took is gone; the rest is here once, in order, and counted exactly.
      expect(got).toEqual(got.map((_, i) => (got[0] ?? 0) + i));
      expect(q.qsize()).toBe(0);
      q.close();
      flag.close();
    }
  }, 180_000);
});
