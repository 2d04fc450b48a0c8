// Issue 18 experiment (by hand, not part of the suites): where a real-input job loses time on a
// thread pool of 2. Runs the `workloads` suite's files (its own pick, from the bench folder's
// build) through a traced job (fixtures/workload-trace-tasks.mjs: each item reports its worker,
// its start and end, and its thread's CPU time) with multiproc `map`/`imap`/`imapUnordered`/`apply()` and piscina, and
// reports per run: wall ms, CPU ms of the whole process (workers included), the workers' idle
// time inside the run (2 x span - busy), the tail (from the first worker's last item to the
// end), the balance (the busiest worker's item CPU time over half the total: 1 is an even split;
// a loaded machine moves it less than wall time, though a worker the OS starves takes fewer
// items), and the chunk sizes in completion order (from `onProgress`). Builds are interleaved:
// a fresh child per build and round.
// Usage: node experiments/workload-trace.mjs <rounds> <job> <path|big> <bench folder>...
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const IMPLS = (process.env.IMPLS ?? 'map,imap,imapUnordered,apply,piscina').split(',');
const PASSES = Number(process.env.PASSES ?? 3);
const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

async function once(run, items) {
  const chunks = [];
  let last = 0;
  const onProgress = (done) => {
    chunks.push(done - last);
    last = done;
  };
  const cpu0 = process.cpuUsage();
  const t0 = performance.timeOrigin + performance.now();
  const res = await run(items, onProgress);
  const t1 = performance.timeOrigin + performance.now();
  const cpu = process.cpuUsage(cpu0);
  const byWorker = new Map();
  for (const [, w, s, e, c] of res) {
    const b = byWorker.get(w) ?? { busy: 0, end: 0, cpu: 0 };
    b.busy += e - s;
    b.cpu += c;
    b.end = Math.max(b.end, e);
    byWorker.set(w, b);
  }
  const ws = [...byWorker.values()];
  const busy = ws.reduce((sum, b) => sum + b.busy, 0);
  const itemsCpu = ws.reduce((sum, b) => sum + b.cpu, 0);
  const ends = ws.map((b) => b.end).sort((a, b) => a - b);
  return {
    wall: t1 - t0,
    cpu: (cpu.user + cpu.system) / 1000,
    busy,
    idle: 2 * (t1 - t0) - busy,
    tail: ends.length > 1 ? ends.at(-1) - ends[0] : t1 - t0,
    // The busiest worker's item CPU over an even share (1 = balanced): what the split costs on
    // an idle machine, whatever the load during the run.
    balance: (Math.max(...ws.map((b) => b.cpu)) * 2) / itemsCpu,
    chunks: chunks.length,
    first: chunks.slice(0, 12).join(' '),
  };
}

async function child(dir, job, order) {
  const url = (p) => pathToFileURL(join(dir, p)).href;
  const { Pool } = await import(url('node_modules/@multiproc/multiproc/dist/index.js'));
  const { Piscina } = await import(url('node_modules/piscina/dist/esm-wrapper.mjs'));
  const { pickFiles, readAll } = await import(url('dist/workload-files.js'));
  const fixture = url('fixtures/workload-trace-tasks.mjs');
  const { tasks } = await import(fixture);
  let files = pickFiles(4_000_000, 400_000, 2000);
  if (order === 'big') files = [...files].sort((a, b) => b.bytes - a.bytes);
  const { buffers, texts } = job === 'gzipBytes' || job === 'hashCount' ? readAll(files) : {};
  const items = job === 'gzipBytes' ? buffers : job === 'hashCount' ? texts : files.map((f) => f.path);
  const name = `${job}T`;
  const pool = new Pool({ processes: 2 });
  const pis = new Piscina({ filename: fixture, minThreads: 2, maxThreads: 2 });
  const runs = {
    map: (xs, onProgress) => pool.map(tasks[name], xs, { onProgress }),
    imap: async (xs, onProgress) => {
      const out = [];
      for await (const v of pool.imap(tasks[name], xs, { onProgress })) out.push(v);
      return out;
    },
    imapUnordered: async (xs, onProgress) => {
      const out = [];
      for await (const v of pool.imapUnordered(tasks[name], xs, { onProgress })) out.push(v);
      return out;
    },
    apply: (xs) => Promise.all(xs.map((x) => pool.apply(tasks[name], [x]))),
    piscina: (xs) => Promise.all(xs.map((x) => pis.run(x, { name }))),
  };
  // Warm-up: one whole run of each (a tenth of the files leaves acorn cold in fresh workers).
  for (const impl of IMPLS) await runs[impl](items, () => {});
  const out = Object.fromEntries(IMPLS.map((impl) => [impl, []]));
  for (let pass = 0; pass < PASSES; pass++) {
    for (const impl of IMPLS) out[impl].push(await once(runs[impl], items));
  }
  await pool.terminate();
  await pis.destroy();
  return out;
}

if (process.argv[2] === 'child') {
  console.log(JSON.stringify(await child(process.argv[3], process.argv[4], process.argv[5])));
} else {
  const [rounds, job, order, ...dirs] = process.argv.slice(2);
  const self = fileURLToPath(import.meta.url);
  const samples = Object.fromEntries(dirs.map((d) => [d, []]));
  for (let r = 0; r < Number(rounds); r++)
    for (const dir of dirs)
      samples[dir].push(
        ...Object.entries(
          JSON.parse(execFileSync(process.execPath, [self, 'child', dir, job, order]).toString()),
        ).flatMap(([impl, passes]) => passes.map((p) => ({ impl, ...p }))),
      );
  for (const impl of IMPLS) {
    for (const dir of dirs) {
      const rows = samples[dir].filter((s) => s.impl === impl);
      const f = (k, digits = 0) =>
        med(rows.map((x) => x[k]))
          .toFixed(digits)
          .padStart(5);
      console.log(
        `${impl.padEnd(14)} ${dir.slice(-24).padEnd(24)} wall ${f('wall')} cpu ${f('cpu')} busy ${f('busy')} idle ${f('idle')} tail ${f('tail')} balance ${f('balance', 2)} chunks ${f('chunks')}  [${rows[0].first}]`,
      );
    }
  }
}
