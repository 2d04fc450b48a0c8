/**
 * Process chaos: `Process`es that hold copies of a pipe end and of a queue send on both, then
 * end at random: return, `process.exit()`, a throw, or killed (SIGKILL) or terminated by the
 * parent while still sending. The parent's `recv()` must end with `EOFError` and its `get()`s
 * must settle; values arrive once, in order per sender; everything a worker sent before it ended
 * by itself arrives (a killed one may lose only its tail). Afterwards nothing is left open.
 */
import { Process } from '@multiproc/core';
import { EOFError, Pipe, Queue } from '@multiproc/ipc';
import { fail, newReport, rng, type SuiteReport, within } from '../report.js';
import { settleTo, snapshot } from '../resources.js';
import { tasks } from '../tasks.js';
import { type Context, done, type SuiteOptions } from './options.js';

const ROUND_MS = 60_000;
const ENDS = ['return', 'exit', 'throw', 'kill', 'terminate'] as const;
type End = (typeof ENDS)[number];
type Item = [number, number];

/** Runs process-chaos rounds in `context`. */
export async function processChaos(context: Context, options: SuiteOptions): Promise<SuiteReport> {
  const report = newReport(`process-chaos-${context}`);
  const started = Date.now();
  const random = rng(options.seed ?? 3);
  // Taken after the first round: the socket server a thread opens on first need stays, by design.
  let before: ReturnType<typeof snapshot> | undefined;
  for (let round = 0; !done(options, round, started); round++) {
    const ends = Array.from(
      { length: 2 + Math.floor(random() * 3) },
      () => ENDS[Math.floor(random() * ENDS.length)]!,
    );
    const live: Process[] = [];
    try {
      await within(
        chaosRound(context, ends, 5 + Math.floor(random() * 30), random, live, report, round),
        ROUND_MS,
        `round ${round}`,
      );
    } catch (err) {
      fail(report, `round ${round} (${ends.join(',')}): ${(err as Error).message}`);
    } finally {
      for (const p of live) p.kill();
      await Promise.all(live.map((p) => p.join()));
    }
    report.rounds++;
    before ??= snapshot();
  }
  const extra = before ? await settleTo(before) : [];
  report.leaked = extra.length;
  if (extra.length > 0) fail(report, `left open: ${extra.join(', ')}`, true);
  report.durationMs = Date.now() - started;
  return report;
}

async function chaosRound(
  context: Context,
  ends: End[],
  count: number,
  random: () => number,
  live: Process[],
  report: SuiteReport,
  round: number,
): Promise<void> {
  const [mine, theirs] = Pipe<Item>();
  const q = new Queue<Item>();
  for (const [id, end] of ends.entries()) {
    const how = end === 'kill' || end === 'terminate' ? 'hang' : end;
    const p = new Process({ target: tasks.holder, args: [theirs, q, id, count, how, 3], context });
    p.start();
    live.push(p);
  }
  theirs.close();
  const fromPipe: Item[] = [];
  const reading = (async () => {
    for (;;) {
      try {
        fromPipe.push(await mine.recv());
      } catch (err) {
        if (err instanceof EOFError) return;
        throw err;
      }
    }
  })();
  // Kill or terminate the hanging ones once they have sent a random share of their values.
  await Promise.all(
    ends.map(async (end, id) => {
      if (end !== 'kill' && end !== 'terminate') return live[id]!.join();
      const share = Math.floor(random() * (count + 1));
      while (fromPipe.filter(([who]) => who === id).length < share)
        await new Promise((r) => setTimeout(r, 2));
      report.deaths++;
      if (end === 'kill') live[id]!.kill();
      else await live[id]!.terminate();
      return live[id]!.join();
    }),
  );
  report.deaths += ends.filter((e) => e === 'exit' || e === 'throw').length;
  await reading;
  const fromQueue: Item[] = [];
  while (!q.empty()) fromQueue.push(await q.get(1000));
  report.settled += fromPipe.length + fromQueue.length + 1;
  for (const [leg, items] of [
    ['pipe', fromPipe],
    ['queue', fromQueue],
  ] as const) {
    for (const [id, end] of ends.entries()) {
      const seqs = items.filter(([who]) => who === id).map(([, seq]) => seq);
      const prefix = seqs.every((s, i) => s === i);
      if (!prefix) {
        report.twice += seqs.length - new Set(seqs).size;
        fail(report, `round ${round} ${leg}: holder ${id} (${end}) arrived as ${seqs.join(',')}`);
      }
      if (end !== 'kill' && end !== 'terminate' && seqs.length < count) {
        report.lost += count - seqs.length;
        fail(report, `round ${round} ${leg}: holder ${id} (${end}) lost ${count - seqs.length} of ${count}`);
      }
    }
  }
  mine.close();
  q.close();
}
