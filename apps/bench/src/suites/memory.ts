/**
 * Suite `memory` (issue 6): how much the parent's resident memory grows while `imap` consumes a
 * 10-million-item generator. Each sample runs in a fresh process (peak RSS is a lifetime figure).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { type SamplePlan, sampleRuns } from '../harness.js';
import { needs } from '../mp.js';
import { fixturePath } from '../paths.js';
import { pythonUnavailable, runPython } from '../python.js';
import type { BenchCase } from '../types.js';

/** Why the memory cases take no warm-up sample. */
const COLD =
  'each sample is a fresh process: peak RSS is a lifetime figure, so a warm-up sample only costs time';

const run = promisify(execFile);
const TITLE = 'peak RSS growth of the parent, imap over a generator';
/** Python's default chunksize of 1 would take minutes over 10M items; 1000 keeps it to seconds. */
const PYTHON_CHUNKSIZE = 1000;

/** Peak RSS growth (MB) of `fixture` run in a fresh child per sample, over `items` items. */
async function fixtureGrowth(fixture: string, plan: SamplePlan, items: number) {
  const seconds: number[] = [];
  const samples = await sampleRuns(plan, async () => {
    const { stdout } = await run(process.execPath, [fixturePath(fixture), String(items)], {
      timeout: 170_000,
    });
    const out = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as { growthMb: number; seconds: number };
    seconds.push(out.seconds);
    return out.growthMb;
  });
  return { samples, extra: { items, seconds } };
}

const mpImap: BenchCase = {
  id: 'memory/imap/multiproc',
  suite: 'memory',
  group: 'memory.imap',
  title: TITLE,
  impl: 'multiproc imap (thread, defaults)',
  kind: 'multiproc',
  unit: 'MB',
  better: 'lower',
  maxRuns: 3,
  unavailable: needs(['Pool', 'defineTasks']),
  noWarmup: COLD,
  measure: ({ runs, warmup, sizes }) => fixtureGrowth('mp-memory.mjs', { runs, warmup }, sizes.memItems),
};

/**
 * The floor (issue 18): the same loop built without a pool library, on two bare worker_threads
 * with transferred Float64Array chunks of imap's default size, consumed by `for await`.
 */
const rawImap: BenchCase = {
  id: 'memory/imap/raw-worker-threads',
  suite: 'memory',
  group: 'memory.imap',
  title: TITLE,
  impl: 'raw worker_threads (Float64Array chunks, for await)',
  kind: 'baseline',
  unit: 'MB',
  better: 'lower',
  maxRuns: 3,
  noWarmup: COLD,
  measure: ({ runs, warmup, sizes }) => fixtureGrowth('raw-memory.mjs', { runs, warmup }, sizes.memItems),
};

const pythonImap: BenchCase = {
  id: 'memory/imap/python',
  suite: 'memory',
  group: 'memory.imap',
  title: TITLE,
  impl: `python Pool.imap (chunksize ${PYTHON_CHUNKSIZE})`,
  kind: 'python',
  unit: 'MB',
  better: 'lower',
  maxRuns: 3,
  unavailable: pythonUnavailable,
  noWarmup: COLD,
  measure: async ({ runs, warmup, sizes }) => {
    const seconds: unknown[] = [];
    const samples = await sampleRuns({ runs, warmup }, async () => {
      const m = await runPython('memory.py', 'imap', { n: sizes.memItems, chunksize: PYTHON_CHUNKSIZE });
      seconds.push(m.extra?.seconds);
      return m.samples[0]!;
    });
    return { samples, extra: { items: sizes.memItems, chunksize: PYTHON_CHUNKSIZE, seconds } };
  },
};

/** The `memory` suite. */
export function memoryCases(): BenchCase[] {
  return [mpImap, rawImap, pythonImap];
}
