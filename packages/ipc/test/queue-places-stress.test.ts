// The full tier's loop over places granted ahead (protocol/places.ts; queue-places.test.ts has one
// round of each): producers in threads and processes race on putNowait() into one bounded queue,
// with the other core kept busy, and some rounds SIGKILL a producer process mid-race. Each round:
// never more than maxsize items held, qsize() equals the items there, and once the producers are
// gone the home's putNowait() fills the queue to exactly maxsize (no place was lost or kept).
import { Pipe, Queue } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { killProcesses, startProcess } from './core.js';

const { tasks } = await import(new URL('./fixtures/room-places-tasks.mjs', import.meta.url).href);

afterEach(killProcesses);

const ROUNDS = 12;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('places granted ahead, in a loop', () => {
  it('maxsize holds and no room is lost: producers race, the other core busy, some killed', async () => {
    const burner = startProcess('thread', tasks.burn, [ROUNDS * 3000]);
    for (let round = 0; round < ROUNDS; round++) {
      const maxsize = [8, 16, 40, 64][round % 4]!;
      const q = new Queue<number>({ maxsize });
      const [report, theirs] = Pipe<{ ok: number; full: number }>();
      const gates = [Pipe(), Pipe(), Pipe(), Pipe(), Pipe()];
      const producers = gates.map(([, gate], i) =>
        startProcess(i < 3 ? 'process' : 'thread', tasks.race, [
          q,
          theirs,
          gate,
          30,
          [0, 1, 5][(i + round) % 3],
        ]),
      );
      const [ctl, ctlTheirs] = Pipe<unknown>();
      const victim = round % 2 === 1 ? startProcess('process', tasks.putUntilKilled, [q, ctlTheirs]) : null;
      if (victim) await ctl.recv();
      for (const [go] of gates) go.send('go');
      if (victim) {
        await sleep(5 + (round % 5) * 7);
        victim.kill();
      }
      const counts = await Promise.all(gates.map(() => report.recv()));
      await Promise.all([...producers, ...(victim ? [victim] : [])].map((p) => p.join()));
      const ok = counts.reduce((n, c) => n + c.ok, 0);
      expect(
        counts.reduce((n, c) => n + c.ok + c.full, 0),
        `round ${round}`,
      ).toBe(5 * 30);
      const held = q.qsize();
      expect(held, `round ${round}: more than maxsize`).toBeLessThanOrEqual(maxsize);
      if (!victim) expect(held, `round ${round}`).toBe(ok);
      for (let n = held; n > 0; n--) await q.get({ timeout: 10_000 });
      expect(() => q.getNowait(), `round ${round}: an item past qsize()`).toThrow(
        expect.objectContaining({ code: 'MP_QUEUE_EMPTY' }),
      );
      for (let i = 0; i < maxsize; i++) q.putNowait(i);
      expect(() => q.putNowait(-1), `round ${round}`).toThrow(
        expect.objectContaining({ code: 'MP_QUEUE_FULL' }),
      );
      q.close();
    }
    burner.kill();
  }, 300_000);
});
