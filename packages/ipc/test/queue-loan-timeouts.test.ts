// Consumers sharing a queue whose gets time out or do not wait (`get({ timeout })`, `getNowait()`),
// with loans out (loan.ts). A loan taken back only in part (its oldest items, for another consumer's
// get that then timed out) or lent while another copy still held items pushed to such a get let an
// item reach a consumer after newer items of the same producer that it had claimed meanwhile
// (CONTRACT "Delivery": each producer's items reach each consumer in order, every item once,
// `join()` returns). Real threads and processes.
import { JoinableQueue, Pipe } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { killProcesses, startProcess } from './core.js';

const { tasks } = await import(new URL('./fixtures/loan-tasks.mjs', import.meta.url).href);

afterEach(killProcesses);

describe('consumers whose gets time out or do not wait', () => {
  it.each(matrix(import.meta.url))(
    '5 %s consumers, 3 producers: every item once, each producer in order at each consumer',
    async (ctx) => {
      const N = 1500;
      const C = 5;
      const q = new JoinableQueue<[number, number] | null>();
      const [report, theirs] = Pipe<[number, number][]>();
      const consumers = Array.from({ length: C }, () => startProcess(ctx, tasks.consumeMixed, [q, theirs]));
      theirs.close();
      const producers = [0, 1, 2].map((id) => startProcess('process', tasks.produce, [q, id, N]));
      for (const p of producers) await p.join();
      await q.join();
      for (let i = 0; i < C; i++) await q.put(null);
      const seen = new Set<string>();
      let total = 0;
      for (let i = 0; i < C; i++) {
        const got = await report.recv();
        const last = [-1, -1, -1];
        for (const [id, k] of got) {
          if (k <= last[id]!) expect.fail(`producer ${id}: ${k} after ${last[id]}`); // per-producer FIFO
          last[id] = k;
          seen.add(`${id}:${k}`);
        }
        total += got.length;
      }
      expect(total).toBe(3 * N); // none twice
      expect(seen.size).toBe(3 * N); // none lost
      await q.join();
      expect(q.qsize()).toBe(0);
      for (const c of consumers) await c.join();
    },
    40_000,
  );
});

describe("a copy's get whose time runs out while its home does not answer", () => {
  it.each(matrix(import.meta.url))(
    'a %s consumer still ends it, SYNC_ANSWER_MS (1 s) after its timeout at the most',
    async (ctx) => {
      const q = new JoinableQueue<number>();
      const [report, theirs] = Pipe<unknown>();
      const c = startProcess(ctx, tasks.timedGet, [q, theirs, 50]);
      theirs.close();
      expect(await report.recv()).toBe('getting');
      // The home's thread blocks (no event loop turn): the get's demand and then its R_SOFTEN and
      // R_SYNC wait unread, so the get ends by its own bound.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 4000);
      const [name, ms] = (await report.recv()) as [string, number];
      expect(name).toBe('QueueEmptyError');
      expect(ms).toBeGreaterThanOrEqual(45);
      expect(ms).toBeLessThan(3000);
      expect(q.qsize()).toBe(0);
      await c.join();
    },
    30_000,
  );
});
