// Issue 18 experiment (by hand, not part of the suites): what a `workloads` case times when it
// starts its pool, warms it up on one file in ten and times a few whole runs, as the suite does.
// Per implementation and round: a fresh pool of 2 threads, the suite's warm-up, then RUNS (8)
// timed runs of the job over the suite's files; per run, wall ms and the CPU ms of the threads
// (Linux, /proc/self/task/*/schedstat): `w` the pool's threads (those started with the pool), `host`
// the calling thread, `v8` every other thread of the process (V8's helpers: concurrent compiling
// and GC, shared by all isolates). Implementations alternate, their order reversed every round.
// Serial (the calling thread alone) takes the same warm-up and runs.
// Usage: [RUNS=n] [IMPLS=map,imap,imapUnordered,piscina,serial] \
//          node experiments/workload-warmup.mjs <rounds> <job> <path|big>
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..');
const url = (p) => pathToFileURL(join(dir, p)).href;
const [rounds = '2', job = 'parseFile', order = 'path'] = process.argv.slice(2);
const RUNS = Number(process.env.RUNS ?? 8);
const IMPLS = (process.env.IMPLS ?? 'map,imap,piscina').split(',');

const { Pool } = await import(url('node_modules/@multiproc/multiproc/dist/index.js'));
const { Piscina } = await import(url('node_modules/piscina/dist/esm-wrapper.mjs'));
const { pickFiles, readAll } = await import(url('dist/workload-files.js'));
const { tasks } = await import(url('fixtures/workload-tasks.mjs'));
const jobs = await import(url('fixtures/workload-jobs.mjs'));

let files = pickFiles(4_000_000, 400_000, 2000);
if (order === 'big') files = [...files].sort((a, b) => b.bytes - a.bytes);
const { buffers, texts } = job === 'gzipBytes' || job === 'hashCount' ? readAll(files) : {};
const items = job === 'gzipBytes' ? buffers : job === 'hashCount' ? texts : files.map((f) => f.path);
const warm = items.filter((_, i) => i % 10 === 0);

/** CPU ms so far of each thread of this process, by thread id. */
function threadCpu() {
  const out = new Map();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      out.set(tid, Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'latin1').split(' ')[0]) / 1e6);
    } catch {} // the thread ended
  }
  return out;
}

function start(impl) {
  if (impl === 'serial') return { run: async (xs) => xs.map(jobs[job]), end: async () => {} };
  if (impl === 'piscina') {
    const pool = new Piscina({ filename: url('fixtures/workload-peer.mjs'), minThreads: 2, maxThreads: 2 });
    return { run: (xs) => Promise.all(xs.map((x) => pool.run(x, { name: job }))), end: () => pool.destroy() };
  }
  const pool = new Pool({ processes: 2 });
  const run = async (xs) => {
    if (impl === 'map') return pool.map(tasks[job], xs);
    const out = [];
    for await (const v of impl === 'imap' ? pool.imap(tasks[job], xs) : pool.imapUnordered(tasks[job], xs))
      out.push(v);
    return out;
  };
  const end = async () => {
    pool.close();
    await pool.join();
  };
  return { run, end };
}

const host = String(process.pid);
const walls = new Map(IMPLS.map((impl) => [impl, []]));
for (let round = 0; round < Number(rounds); round++) {
  for (const impl of round % 2 ? [...IMPLS].reverse() : IMPLS) {
    const before = threadCpu();
    const { run, end } = start(impl);
    await run(warm);
    const line = [];
    for (let r = 0; r < RUNS; r++) {
      const cpu0 = threadCpu();
      const t0 = performance.now();
      const out = await run(items);
      const wall = performance.now() - t0;
      if (out.length !== items.length) throw new Error(`${impl} gave ${out.length} of ${items.length}`);
      let w = 0;
      let v8 = 0;
      let hostMs = 0;
      for (const [tid, ms] of threadCpu()) {
        const d = ms - (cpu0.get(tid) ?? 0);
        if (tid === host) hostMs = d;
        else if (before.has(tid)) v8 += d;
        else w += d;
      }
      line.push(`${wall.toFixed(0)} (w ${w.toFixed(0)}, host ${hostMs.toFixed(0)}, v8 ${v8.toFixed(0)})`);
      walls.get(impl).push(wall);
    }
    console.log(`${impl.padEnd(13)} ${line.join('  ')}`);
    await end();
  }
}
const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
for (const [impl, xs] of walls)
  console.log(`${impl}: median ${med(xs).toFixed(0)} ms over ${xs.length} runs`);
