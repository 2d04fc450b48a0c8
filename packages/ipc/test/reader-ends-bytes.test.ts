// A thread reading a pipe end beside this one ends (its target returns, calls process.exit(),
// throws) with values pushed to it that it never took: they are read here, none lost. Big ones
// (16 KiB or more) were moved to the thread (its port's transfer list, nothing kept at home), so
// those the thread held or had on their way when it ended were gone: found by chaos-58 (seed 5850:
// one 73 KB string of 471 values missing), 1-5 of 100 values lost in most rounds here before.
import { EOFError, Pipe } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { killProcesses, startProcess } from './core.js';

const { tasks } = await import(new URL('./fixtures/chaos-58-tasks.mjs', import.meta.url).href);

afterEach(killProcesses);

const N = 100;
const ROUNDS = 3;

describe('big values pushed to a thread reading a pipe end that ends', () => {
  it.each(['return', 'exit', 'throw'])(
    'all arrive here when its target ends by %s',
    {
      timeout: 60_000,
    },
    async (fate) => {
      for (let round = 0; round < ROUNDS; round++) {
        const [r, s] = Pipe({ duplex: false });
        const [reports, reportEnd] = Pipe<[number, number, number, boolean]>({ duplex: false });
        // Every third value is a 120 000-byte Buffer; a thread sends them all, pausing now and then.
        const plan = Array.from({ length: N }, (_, i) => (i % 3 === 0 ? ['buffer', 120_000] : ['tiny', 0]));
        const pauses = plan.map((_, i) => (i % 10 === 0 ? 1 : 0));
        const producer = startProcess('thread', tasks.produce, [
          s,
          'pipe',
          0,
          plan,
          { kind: 'return' },
          pauses,
          'await',
          'none',
        ]);
        const at = 5 + round * 7;
        const consumer = startProcess('thread', tasks.consume, [
          r,
          'pipe',
          0,
          [plan],
          { kind: fate, at, code: 0 },
          'block',
          reportEnd,
        ]);
        s.close();
        reportEnd.close();
        const seen: number[] = [];
        const reported = (async () => {
          for (;;) {
            const v = await reports.recv().catch((e: unknown) => e);
            if (v instanceof EOFError) return;
            if (v instanceof Error) throw v;
            const [, , i, ok] = v as [number, number, number, boolean];
            expect(ok).toBe(true);
            seen.push(i);
          }
        })();
        for (;;) {
          const v = await r.recv().catch((e: unknown) => e);
          if (v instanceof EOFError) break;
          if (v instanceof Error) throw v;
          seen.push((v as { i: number }).i);
        }
        await reported;
        await Promise.all([producer.join(), consumer.join()]);
        expect(consumer.exitCode).toBe(fate === 'throw' ? 1 : 0);
        const missing = Array.from({ length: N }, (_, i) => i).filter((i) => !seen.includes(i));
        expect({ round, missing, taken: seen.length }).toEqual({ round, missing: [], taken: N });
        r.close();
        reports.close();
      }
    },
  );
});
