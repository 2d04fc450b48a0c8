/**
 * Queue and pipe integrity, in one context, with workers that die mid-stream.
 *
 * Queue: N producers put `[id, seq]` items with random pauses; M consumers take them, each one
 * reporting every item it got on a second queue; one consumer exits while holding an item, after
 * reporting which. Every item put must be received exactly once by a consumer, or be the one the
 * dead consumer reported holding; its read-ahead must go back to the others.
 *
 * Pipe: P producers share copies of one sending end; each sends `[id, seq]` with random pauses,
 * half of them end with `process.exit()`. The reader gets every value exactly once, in order per
 * producer, then `EOFError` (CONTRACT, IPC "Delivery").
 */
import { Process } from '@multiproc/core';
import { EOFError, Pipe, Queue } from '@multiproc/ipc';
import { fail, newReport, rng, type SuiteReport, within } from '../report.js';
import { tasks } from '../tasks.js';
import { type Context, done, type SuiteOptions } from './options.js';

const ROUND_MS = 60_000;
type Report = ['got' | 'held', number, [number, number]];

/** Runs queue rounds (N x M with a consumer that dies) in `context`. */
export async function queueIntegrity(context: Context, options: SuiteOptions): Promise<SuiteReport> {
  const report = newReport(`queue-integrity-${context}`);
  const started = Date.now();
  const random = rng(options.seed ?? 1);
  for (let round = 0; !done(options, round, started); round++) {
    const producers = 1 + Math.floor(random() * 3);
    const consumers = 2 + Math.floor(random() * 2);
    const count = 20 + Math.floor(random() * 60);
    const live: Process[] = [];
    try {
      const dieAfter = 1 + Math.floor(random() * 5);
      const shape = { producers, consumers, count, dieAfter, round };
      await within(queueRound(context, shape, live, report), ROUND_MS, `round ${round}`);
    } catch (err) {
      fail(report, `round ${round}: ${(err as Error).message}`);
    } finally {
      for (const p of live) p.kill();
      await Promise.all(live.map((p) => p.join()));
    }
    report.rounds++;
  }
  report.durationMs = Date.now() - started;
  return report;
}

interface QueueRound {
  readonly producers: number;
  readonly consumers: number;
  readonly count: number;
  readonly dieAfter: number;
  readonly round: number;
}

async function queueRound(
  context: Context,
  shape: QueueRound,
  live: Process[],
  report: SuiteReport,
): Promise<void> {
  const { producers, consumers, count, dieAfter, round } = shape;
  const q = new Queue<[number, number] | null>();
  const reports = new Queue<Report>();
  const start = (options: ConstructorParameters<typeof Process>[0]) => {
    const p = new Process({ ...options, context });
    p.start();
    live.push(p);
    return p;
  };
  const made = Array.from({ length: producers }, (_, id) =>
    start({ target: tasks.produce, args: [q, id, count, 3] }),
  );
  const takers = Array.from({ length: consumers }, (_, c) =>
    start({ target: tasks.consume, args: [q, reports, c, c === 0 ? dieAfter : 0, 3] }),
  );
  await Promise.all(made.map((p) => p.join()));
  // One null per consumer: a consumer stops at its first. The one meant to die usually has died
  // holding its item by now; if it was slow to get items, it may meet a null first and end well.
  for (let i = 0; i < consumers; i++) await q.put(null);
  await Promise.all(takers.map((p) => p.join()));
  const died = takers[0]!.exitCode === 9;
  if (died) report.deaths++;
  const seen = new Map<string, number>();
  let held: string | undefined;
  while (!reports.empty() || seen.size < producers * count) {
    let r: Report;
    try {
      r = await reports.get(2000);
    } catch {
      break; // nothing more arrives: what is missing is lost
    }
    const key = r[2].join(':');
    if (r[0] === 'held') held = key;
    seen.set(key, (seen.get(key) ?? 0) + 1);
    report.settled++;
  }
  for (let id = 0; id < producers; id++) {
    for (let seq = 0; seq < count; seq++) {
      const n = seen.get(`${id}:${seq}`) ?? 0;
      if (n === 0) {
        report.lost++;
        fail(report, `round ${round}: item ${id}:${seq} was neither received nor reported held`);
      } else if (n > 1) {
        report.twice++;
        fail(report, `round ${round}: item ${id}:${seq} was received ${n} times`);
      }
    }
  }
  if (died && held === undefined) fail(report, `round ${round}: the dead consumer's 'held' report was lost`);
  for (const p of [...made, ...takers.slice(died ? 1 : 0)]) {
    if (p.exitCode !== 0) fail(report, `round ${round}: ${p.name} exited with ${p.exitCode}`);
  }
  q.close();
  reports.close();
}

/** Runs pipe rounds (P producers on copies of one end, half of them exiting) in `context`. */
export async function pipeIntegrity(context: Context, options: SuiteOptions): Promise<SuiteReport> {
  const report = newReport(`pipe-integrity-${context}`);
  const started = Date.now();
  const random = rng(options.seed ?? 2);
  for (let round = 0; !done(options, round, started); round++) {
    const producers = 1 + Math.floor(random() * 3);
    const count = 10 + Math.floor(random() * 60);
    const [reader, writer] = Pipe<[number, number]>({ duplex: false });
    const ps = Array.from({ length: producers }, (_, id) => {
      const end = id % 2 ? 'exit' : 'return';
      const p = new Process({ target: tasks.sendMany, args: [writer, id, count, end, 3], context });
      p.start();
      return p;
    });
    writer.close();
    report.deaths += Math.floor(producers / 2);
    const next = new Array<number>(producers).fill(0);
    try {
      await within(
        (async () => {
          for (;;) {
            let v: [number, number];
            try {
              v = await reader.recv();
            } catch (err) {
              if (err instanceof EOFError) return;
              throw err;
            }
            report.settled++;
            const [id, seq] = v;
            if (seq < next[id]!) report.twice++;
            if (seq !== next[id])
              fail(report, `round ${round}: producer ${id} sent ${seq} after ${next[id]! - 1}`);
            next[id] = Math.max(next[id]!, seq + 1);
          }
        })(),
        ROUND_MS,
        `round ${round} reading`,
      );
    } catch (err) {
      fail(report, `round ${round}: ${(err as Error).message}`);
      for (const p of ps) p.kill();
    }
    await Promise.all(ps.map((p) => p.join()));
    for (let id = 0; id < producers; id++) {
      if (next[id]! < count) {
        report.lost += count - next[id]!;
        fail(
          report,
          `round ${round}: producer ${id} (${id % 2 ? 'exit' : 'return'}) lost ${count - next[id]!} of ${count}`,
        );
      }
    }
    reader.close();
    report.rounds++;
  }
  report.durationMs = Date.now() - started;
  return report;
}
