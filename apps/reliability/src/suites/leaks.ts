/**
 * Leaks: create -> use -> terminate cycles of a `Pool` or a `Process`, in one context. After every
 * cycle RSS is sampled (after a GC when `--expose-gc` is on); after the run every fd, thread,
 * child and event-loop resource must be back to where it started. The report's RSS slope is the
 * least-squares growth in bytes per cycle.
 */
import { Pool, Process } from '@multiproc/core';
import { Pipe } from '@multiproc/ipc';
import { fail, newReport, type SuiteReport, slope, within } from '../report.js';
import { settleTo, snapshot } from '../resources.js';
import { tasks } from '../tasks.js';
import { type Context, done, type SuiteOptions } from './options.js';

const CYCLE_MS = 60_000;
// The first cycles load modules and grow heaps once; they are not a leak.
const WARM_UP = 3;

async function poolCycle(context: Context, round: number): Promise<void> {
  const pool = new Pool({ processes: 2, context });
  try {
    const xs = Array.from({ length: 16 }, (_, i) => i + round);
    const out = await pool.map(tasks.identity, xs, { chunksize: 2 });
    if (out.join() !== xs.join()) throw new Error(`map gave ${out.join()}`);
    if ((await pool.applyAsync(tasks.identity, [round])) !== round) throw new Error('applyAsync was wrong');
  } finally {
    await pool.terminate();
  }
}

async function processCycle(context: Context, round: number): Promise<void> {
  const [mine, theirs] = Pipe();
  const p = new Process({ target: tasks.echoOnPipe, args: [theirs], context });
  p.start();
  theirs.close();
  mine.send(round);
  const back = await mine.recv();
  mine.close();
  await p.join();
  if (back !== round || p.exitCode !== 0) throw new Error(`echo ${String(back)}, exit code ${p.exitCode}`);
  p.close();
}

/** Runs `options.rounds` cycles of `kind` in `context`. */
export async function leaks(
  kind: 'pool' | 'process',
  context: Context,
  options: SuiteOptions,
): Promise<SuiteReport> {
  const report = newReport(`leaks-${kind}-${context}`);
  const started = Date.now();
  const cycle = kind === 'pool' ? poolCycle : processCycle;
  const gc = (globalThis as { gc?: () => void }).gc;
  const rss: number[] = [];
  await within(cycle(context, -1), CYCLE_MS, 'the warm-up cycle');
  const before = snapshot();
  for (let round = 0; !done(options, round, started); round++) {
    try {
      await within(cycle(context, round), CYCLE_MS, `cycle ${round}`);
      report.settled++;
    } catch (err) {
      fail(report, `cycle ${round}: ${(err as Error).message}`);
    }
    report.rounds++;
    if (round >= WARM_UP) {
      gc?.();
      rss.push(process.memoryUsage.rss());
    }
  }
  const extra = await settleTo(before);
  report.leaked = extra.length;
  if (extra.length > 0) fail(report, `held after ${report.rounds} cycles: ${extra.join(', ')}`, true);
  report.rssSlope = slope(rss);
  report.durationMs = Date.now() - started;
  return report;
}
