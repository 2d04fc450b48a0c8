// Issue 18 experiment (by hand, not part of the suites): how well map/imap/imapUnordered split a
// real, uneven input over a thread pool of 2, with the machine's load taken out. `record` times
// each file of the `workloads` suite's pick through a job (the least of 5 wall times, serial);
// the replay runs items that hold their worker for those times (fixtures/workload-replay-tasks.mjs,
// `Atomics.wait`: blocking like the job, no CPU), so wall time measures scheduling only: the
// ideal is max(sum / 2, longest item). Also piscina (one run() per item) on the same items.
// Usage: node experiments/workload-replay.mjs record <job> <out.json>
//        node experiments/workload-replay.mjs run <times.json> <path|big> <passes> <bench folder>...
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const IMPLS = (process.env.IMPLS ?? 'map,imap,imapUnordered,piscina').split(',');
/** Scales the recorded times (a whole serial pass costs more than its items' medians: GC). */
const SCALE = Number(process.env.SCALE ?? 1);
const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

async function record(job, out) {
  const here = (p) => new URL(`../${p}`, import.meta.url).href;
  const { pickFiles, readAll } = await import(here('dist/workload-files.js'));
  const jobs = await import(here('fixtures/workload-jobs.mjs'));
  const files = pickFiles(4_000_000, 400_000, 2000);
  const { buffers, texts } = readAll(files);
  const items = job === 'gzipBytes' ? buffers : job === 'hashCount' ? texts : files.map((f) => f.path);
  for (const x of items) jobs[job](x); // warm
  // The least of 5 wall times: the thread's CPU clock here moves only at scheduler ticks (most
  // items read 0), and the least wall time is the one the machine's load touched least.
  const times = items.map((x) => {
    let least = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      jobs[job](x);
      least = Math.min(least, performance.now() - t0);
    }
    return least;
  });
  writeFileSync(out, JSON.stringify({ job, bytes: files.map((f) => f.bytes), times }));
  const sum = times.reduce((a, b) => a + b, 0);
  console.log(
    `${job}: ${times.length} items, ${sum.toFixed(0)} ms, longest ${Math.max(...times).toFixed(1)} ms`,
  );
}

async function child(dir, timesFile, order, passes) {
  const url = (p) => pathToFileURL(join(dir, p)).href;
  const { Pool } = await import(url('node_modules/@multiproc/multiproc/dist/index.js'));
  const { Piscina } = await import(url('node_modules/piscina/dist/esm-wrapper.mjs'));
  const fixture = url('fixtures/workload-replay-tasks.mjs');
  const { tasks } = await import(fixture);
  let { times } = JSON.parse(readFileSync(timesFile, 'utf8'));
  times = times.map((t) => t * SCALE);
  if (order === 'big') times = [...times].sort((a, b) => b - a);
  // As strings: a chunk of numbers would travel packed, and be dealt to the workers otherwise.
  if (process.env.NUMBERS !== '1') times = times.map(String);
  const pool = new Pool({ processes: 2 });
  const pis = new Piscina({ filename: fixture, minThreads: 2, maxThreads: 2 });
  const drain = async (it) => {
    const out = [];
    for await (const v of it) out.push(v);
    return out;
  };
  const runs = {
    map: (xs) => pool.map(tasks.hold, xs),
    imap: (xs) => drain(pool.imap(tasks.hold, xs)),
    imapUnordered: (xs) => drain(pool.imapUnordered(tasks.hold, xs)),
    apply: (xs) => Promise.all(xs.map((x) => pool.apply(tasks.hold, [x]))),
    piscina: (xs) => Promise.all(xs.map((x) => pis.run(x, { name: 'hold' }))),
  };
  // Warm-up as the suite does it: one item in ten.
  const warm = times.filter((_, i) => i % 10 === 0);
  const out = Object.fromEntries(IMPLS.map((impl) => [impl, []]));
  for (const impl of IMPLS) await runs[impl](warm);
  for (let p = 0; p < passes; p++) {
    for (const impl of IMPLS) {
      const t0 = performance.now();
      const res = await runs[impl](times);
      if (res.length !== times.length) throw new Error(`${impl}: ${res.length} results`);
      out[impl].push(performance.now() - t0);
    }
  }
  await pool.terminate();
  await pis.destroy();
  return out;
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'record') await record(args[0], args[1]);
else if (mode === 'child')
  console.log(JSON.stringify(await child(args[0], args[1], args[2], Number(args[3]))));
else {
  const [timesFile, order, passes, ...dirs] = args;
  const times = JSON.parse(readFileSync(timesFile, 'utf8')).times.map((t) => t * SCALE);
  const sum = times.reduce((a, b) => a + b, 0);
  const ideal = Math.max(sum / 2, Math.max(...times));
  const self = fileURLToPath(import.meta.url);
  // Builds alternate: ROUNDS fresh children each, in turn.
  const samples = Object.fromEntries(dirs.map((d) => [d, Object.fromEntries(IMPLS.map((i) => [i, []]))]));
  for (let round = 0; round < Number(process.env.ROUNDS ?? 1); round++)
    for (const dir of dirs) {
      const got = JSON.parse(
        execFileSync(process.execPath, [self, 'child', dir, timesFile, order, passes]).toString(),
      );
      for (const impl of IMPLS) samples[dir][impl].push(...got[impl]);
    }
  console.log(
    `ideal ${ideal.toFixed(0)} ms (sum ${sum.toFixed(0)} / 2, longest ${Math.max(...times).toFixed(0)})`,
  );
  for (const impl of IMPLS)
    for (const dir of dirs) {
      const xs = samples[dir][impl];
      console.log(
        `${impl.padEnd(14)} ${dir.slice(-20).padEnd(20)} median ${med(xs).toFixed(0).padStart(5)} ms  ${(med(xs) / ideal).toFixed(2)}x ideal  [${xs.map((x) => x.toFixed(0)).join(' ')}]`,
      );
    }
}
