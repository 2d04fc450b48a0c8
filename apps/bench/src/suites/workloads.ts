/**
 * Suite `workloads` (issue 18): real input, tried as a user would. Four jobs over real `.js` files
 * of the repository's installed packages (very uneven in size), 2 workers, one task per file:
 * serial, multiproc's `map`/`imap`/`imapUnordered` with defaults and `apply()` per file, piscina
 * and tinypool (one `run()` per file). Each case starts its pool, runs one file in ten as a
 * warm-up, then times whole runs (pool start-up not counted). Every job runs over the files in
 * path order and again biggest first. A last group returns the acorn AST of one large file, the
 * big-object result (thread and process contexts, against piscina; tinypool's child_process runtime
 * is left out: on typescript.js it ended the whole bench process without a result).
 */
import { Piscina } from 'piscina';
import { Tinypool } from 'tinypool';
import { nowMs, type SamplePlan, sampleRuns } from '../harness.js';
import { endPool, multiproc, needs } from '../mp.js';
import { fixtureUrl } from '../paths.js';
import type { BenchCase, CaseContext, Measurement } from '../types.js';
import { largestFile, pickFiles, readAll, type WorkloadFile } from '../workload-files.js';

type Job = 'parseFile' | 'gzipPath' | 'gzipBytes' | 'hashCount';
type Order = 'path order' | 'biggest first';
type Impl = 'serial' | 'map' | 'imap' | 'imapUnordered' | 'apply' | 'piscina' | 'tinypool';

const JOBS: Record<Job, string> = {
  parseFile: 'parse with acorn (task gets a path)',
  gzipPath: 'gzip, task gets a path',
  gzipBytes: 'gzip, task gets a Buffer',
  hashCount: 'sha256 + regex count, task gets the text',
};
const IMPLS: Impl[] = ['serial', 'map', 'imap', 'imapUnordered', 'apply', 'piscina', 'tinypool'];
const MAX_RUNS = 5;
/**
 * Why these cases take no harness warm-up sample: each already runs an untimed warm-up of its own
 * (one file in ten, or one parse of the file), the same for every implementation, and a whole
 * extra run per case would add minutes to the suite.
 */
const OWN_WARMUP = 'warms itself up (one file in ten, or one parse), the same for every implementation';
/** The warm-up runs one file in this many. */
const WARM_UP_EVERY = 10;
/** Largest single file picked: keeps one file from being most of a run. */
const MAX_FILE_BYTES = 400_000;
/** As many files as the run had. */
const MAX_FILES = 2000;
/** The big-AST case's file: the largest under this (typescript.js where it is installed). */
const AST_MAX_BYTES = 10_000_000;

type JobFn = (item: any) => unknown;
let jobsModule: Promise<Record<Job | 'parseAst', JobFn>> | undefined;
const jobs = () => {
  jobsModule ??= import(fixtureUrl('workload-jobs.mjs').href) as Promise<Record<Job | 'parseAst', JobFn>>;
  return jobsModule;
};
let mpTaskModule: Promise<Record<string, any>> | undefined;
const mpTasks = async () => {
  mpTaskModule ??= import(fixtureUrl('workload-tasks.mjs').href);
  return (await mpTaskModule).tasks as Record<string, any>;
};

const inputCache = new Map<string, { files: WorkloadFile[]; items: unknown[] }>();

/** The job's items for `order`: paths, buffers or texts of the picked files. */
function inputsOf(job: Job, order: Order, totalBytes: number): { files: WorkloadFile[]; items: unknown[] } {
  const key = `${job}/${order}/${totalBytes}`;
  let cached = inputCache.get(key);
  if (!cached) {
    let files = pickFiles(totalBytes, MAX_FILE_BYTES, MAX_FILES);
    if (order === 'biggest first') files = [...files].sort((a, b) => b.bytes - a.bytes);
    const { buffers, texts } =
      job === 'gzipBytes' || job === 'hashCount' ? readAll(files) : { buffers: [], texts: [] };
    const items = job === 'gzipBytes' ? buffers : job === 'hashCount' ? texts : files.map((f) => f.path);
    cached = { files, items };
    inputCache.set(key, cached);
  }
  return cached;
}

/** One whole run of `items` through `impl`: the results, in input order where the API keeps it. */
type Runner = (items: unknown[]) => Promise<unknown[]>;

/** Starts what `impl` needs and gives its runner for `task`; `end` stops it. */
async function start(impl: Impl, task: Job | 'parseAst', context: 'thread' | 'process' = 'thread') {
  const peerUrl = fixtureUrl('workload-peer.mjs').href;
  if (impl === 'serial') {
    const fn = (await jobs())[task];
    return { run: (async (items) => items.map(fn)) as Runner, end: async () => {} };
  }
  if (impl === 'piscina' || impl === 'tinypool') {
    const pool =
      impl === 'piscina'
        ? new Piscina({ filename: peerUrl, minThreads: 2, maxThreads: 2 })
        : new Tinypool({
            filename: peerUrl,
            minThreads: 2,
            maxThreads: 2,
            runtime: context === 'thread' ? 'worker_threads' : 'child_process',
          });
    const run: Runner = (items) => Promise.all(items.map((x) => pool.run(x, { name: task })));
    return { run, end: () => pool.destroy() };
  }
  const mp = await multiproc();
  const ref = (await mpTasks())[task];
  const pool = new mp.Pool({ processes: 2, context });
  const run: Runner = async (items) => {
    if (impl === 'map') return pool.map(ref, items);
    if (impl === 'apply') return Promise.all(items.map((x) => pool.apply(ref, [x])));
    const out: unknown[] = [];
    for await (const v of impl === 'imap' ? pool.imap(ref, items) : pool.imapUnordered(ref, items))
      out.push(v);
    return out;
  };
  return { run, end: () => endPool(pool) };
}

function implName(impl: Impl): string {
  if (impl === 'serial') return 'serial (one thread)';
  if (impl === 'piscina' || impl === 'tinypool') return `${impl} run() per file`;
  return impl === 'apply' ? 'multiproc apply() per file' : `multiproc ${impl} (defaults)`;
}

async function timeRuns(impl: Impl, task: Job, items: unknown[], plan: SamplePlan): Promise<Measurement> {
  const { run, end } = await start(impl, task);
  try {
    // Warm-up: one file in ten, spread over the sizes (the JIT, the workers' module graph).
    const warm = items.filter((_, i) => i % WARM_UP_EVERY === 0);
    const warmed = await run(warm);
    if (warmed.length !== warm.length) throw new Error(`${impl} gave ${warmed.length} of ${warm.length}`);
    const samples = await sampleRuns(plan, async () => {
      const t0 = nowMs();
      const out = await run(items);
      const ms = nowMs() - t0;
      if (out.length !== items.length) throw new Error(`${impl} gave ${out.length} of ${items.length}`);
      return ms;
    });
    return { samples };
  } finally {
    await end();
  }
}

function jobCase(job: Job, order: Order, impl: Impl): BenchCase {
  const slug = order === 'path order' ? 'path' : 'big-first';
  return {
    id: `workloads/${job}-${slug}/${impl}`,
    suite: 'workloads',
    group: `workloads.${job}.${slug}`,
    title: `${JOBS[job]}, files in ${order}`,
    impl: implName(impl),
    kind: impl === 'piscina' || impl === 'tinypool' ? 'peer' : impl === 'serial' ? 'baseline' : 'multiproc',
    unit: 'ms',
    better: 'lower',
    maxRuns: MAX_RUNS,
    noWarmup: OWN_WARMUP,
    ...(impl === 'serial' || impl === 'piscina' || impl === 'tinypool'
      ? {}
      : { unavailable: needs(['Pool']) }),
    measure: async ({ runs, warmup, sizes }: CaseContext) => {
      const { files, items } = inputsOf(job, order, sizes.workloadBytes);
      const m = await timeRuns(impl, job, items, { runs, warmup });
      const bytes = files.reduce((s, f) => s + f.bytes, 0);
      return { ...m, extra: { files: files.length, mb: Math.round(bytes / 1e4) / 100 } };
    },
  };
}

function astCase(impl: 'map' | 'piscina' | 'tinypool', context: 'thread' | 'process'): BenchCase {
  const names = {
    map: `multiproc apply() (${context})`,
    piscina: 'piscina run()',
    tinypool: 'tinypool child_process run()',
  };
  return {
    id: `workloads/ast/${impl}-${context}`,
    suite: 'workloads',
    group: 'workloads.ast',
    title: 'parse the largest file, whole acorn AST back',
    impl: names[impl],
    kind: impl === 'map' ? 'multiproc' : 'peer',
    unit: 'ms',
    better: 'lower',
    maxRuns: 3,
    noWarmup: OWN_WARMUP,
    measure: async ({ runs, warmup, quick }) => {
      const file = largestFile(quick ? 200_000 : AST_MAX_BYTES);
      const { run, end } = await start(impl === 'map' ? 'apply' : impl, 'parseAst', context);
      try {
        await run([file.path]);
        const samples = await sampleRuns({ runs, warmup }, async () => {
          const t0 = nowMs();
          const [ast] = (await run([file.path])) as { body?: unknown[] }[];
          if (!ast?.body) throw new Error('no AST came back');
          return nowMs() - t0;
        });
        return { samples, extra: { mb: Math.round(file.bytes / 1e4) / 100 } };
      } finally {
        await end();
      }
    },
  };
}

/** The `workloads` suite. */
export function workloadCases(): BenchCase[] {
  const cases: BenchCase[] = [];
  for (const order of ['path order', 'biggest first'] as Order[])
    for (const job of Object.keys(JOBS) as Job[])
      for (const impl of IMPLS) cases.push(jobCase(job, order, impl));
  cases.push(astCase('map', 'thread'), astCase('piscina', 'thread'));
  cases.push(astCase('map', 'process'));
  return cases;
}
