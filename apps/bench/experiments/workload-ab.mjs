// Issue 18 experiment (by hand, not part of the suites): the `workloads` rows as the suite times
// them, many times over, builds and implementations alternated. Each round starts a fresh child
// per build; the child runs every implementation in turn (the order rotates with the round) the
// suite's way: a fresh pool, one file in ten as warm-up, then RUNS timed whole runs, whose median
// is one "case" (what one suite run would print). Reported per implementation and build: the
// median of the case medians, of all runs, and of piscina / multiproc within each child (paired:
// the same minute, the same load).
// Usage: node experiments/workload-ab.mjs <rounds> <job> <path|big> <bench folder>...
// Env: IMPLS (map,imap,imapUnordered,piscina), RUNS (5), BYTES (4000000, the suite's set),
//      MAXFILE (400000), MAXFILES (2000), WARM (whole runs before timing, instead of a tenth: 0),
//      TRACE=1: the traced jobs (fixtures/workload-trace-tasks.mjs), and per run the workers' busy
//      time (sum of item wall times), idle (2 x wall - busy) and tail (first worker's last item
//      end to the last one's), medians over all runs: idle is what the split and the hops cost.
//      Its "item cpu" (the items' thread CPU from schedstat) is biased: that clock moves at
//      scheduler events, so a worker that sleeps after each item books its last slice outside it.
//      `cpu` (process.cpuUsage() around each run, every thread) is exact.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const IMPLS = (process.env.IMPLS ?? 'map,imap,imapUnordered,piscina').split(',');
const RUNS = Number(process.env.RUNS ?? 5);
const BYTES = Number(process.env.BYTES ?? 4_000_000);
const MAXFILE = Number(process.env.MAXFILE ?? 400_000);
const MAXFILES = Number(process.env.MAXFILES ?? 2000);
const WARM = Number(process.env.WARM ?? 0);
const med = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function child(dir, job, order, round) {
  const url = (p) => pathToFileURL(join(dir, p)).href;
  const { Pool } = await import(url('node_modules/@multiproc/multiproc/dist/index.js'));
  const { Piscina } = await import(url('node_modules/piscina/dist/esm-wrapper.mjs'));
  const { pickFiles, readAll } = await import(url('dist/workload-files.js'));
  const TRACE = process.env.TRACE === '1';
  const { tasks } = await import(
    url(TRACE ? 'fixtures/workload-trace-tasks.mjs' : 'fixtures/workload-tasks.mjs')
  );
  const peer = url(TRACE ? 'fixtures/workload-trace-tasks.mjs' : 'fixtures/workload-peer.mjs');
  const name = TRACE ? `${job}T` : job;
  let files = pickFiles(BYTES, MAXFILE, MAXFILES);
  if (order === 'big') files = [...files].sort((a, b) => b.bytes - a.bytes);
  const { buffers, texts } = job === 'gzipBytes' || job === 'hashCount' ? readAll(files) : {};
  const items = job === 'gzipBytes' ? buffers : job === 'hashCount' ? texts : files.map((f) => f.path);
  const start = (impl) => {
    if (impl === 'piscina') {
      const pis = new Piscina({ filename: peer, minThreads: 2, maxThreads: 2 });
      return { run: (xs) => Promise.all(xs.map((x) => pis.run(x, { name }))), end: () => pis.destroy() };
    }
    const pool = new Pool({ processes: 2 });
    const drain = async (it) => {
      const out = [];
      for await (const v of it) out.push(v);
      return out;
    };
    const run = {
      map: (xs) => pool.map(tasks[name], xs),
      imap: (xs) => drain(pool.imap(tasks[name], xs)),
      imapUnordered: (xs) => drain(pool.imapUnordered(tasks[name], xs)),
      apply: (xs) => Promise.all(xs.map((x) => pool.apply(tasks[name], [x]))),
    }[impl];
    return { run, end: () => pool.terminate() };
  };
  const out = {};
  const trace = {};
  const cpu = {};
  const rotated = IMPLS.map((_, i) => IMPLS[(i + round) % IMPLS.length]);
  for (const impl of rotated) {
    const { run, end } = start(impl);
    try {
      if (WARM > 0) for (let i = 0; i < WARM; i++) await run(items);
      else await run(items.filter((_, i) => i % 10 === 0));
      const samples = [];
      trace[impl] = [];
      for (let r = 0; r < RUNS; r++) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        const res = await run(items);
        const wall = performance.now() - t0;
        const c = process.cpuUsage(c0);
        (cpu[impl] ??= []).push((c.user + c.system) / 1000);
        samples.push(wall);
        if (res.length !== items.length) throw new Error(`${impl}: ${res.length} of ${items.length}`);
        if (TRACE) {
          const ends = new Map();
          let busy = 0;
          let icpu = 0;
          for (const [, w, s, e, c] of res) {
            busy += e - s;
            icpu += c;
            ends.set(w, Math.max(ends.get(w) ?? 0, e));
          }
          const last = [...ends.values()].sort((a, b) => a - b);
          trace[impl].push({
            icpu,
            busy,
            idle: 2 * wall - busy,
            tail: last.length > 1 ? last.at(-1) - last[0] : wall,
          });
        }
      }
      out[impl] = samples;
    } finally {
      await end();
    }
  }
  return { out, trace, cpu, files: files.length, mb: files.reduce((s, f) => s + f.bytes, 0) / 1e6 };
}

if (process.argv[2] === 'child') {
  const [, , , dir, job, order, round] = process.argv;
  console.log(JSON.stringify(await child(dir, job, order, Number(round))));
} else {
  const [rounds, job, order, ...dirs] = process.argv.slice(2);
  const self = fileURLToPath(import.meta.url);
  const got = Object.fromEntries(dirs.map((d) => [d, []]));
  const traces = Object.fromEntries(dirs.map((d) => [d, []]));
  const cpus = Object.fromEntries(dirs.map((d) => [d, []]));
  let shape = '';
  for (let r = 0; r < Number(rounds); r++)
    for (const dir of r % 2 ? [...dirs].reverse() : dirs) {
      const res = JSON.parse(
        execFileSync(process.execPath, [self, 'child', dir, job, order, String(r)], {
          maxBuffer: 1 << 26,
        }).toString(),
      );
      shape = `${res.files} files, ${res.mb.toFixed(1)} MB`;
      got[dir].push(res.out);
      traces[dir].push(res.trace);
      cpus[dir].push(res.cpu);
      process.stderr.write('.');
    }
  process.stderr.write('\n');
  console.log(
    `${job} ${order}, ${shape}, ${rounds} rounds x ${RUNS} runs${WARM ? `, ${WARM} whole warm-up runs` : ''}`,
  );
  for (const impl of IMPLS)
    for (const dir of dirs) {
      const rounds_ = got[dir];
      const cases = rounds_.map((o) => med(o[impl]));
      const all = rounds_.flatMap((o) => o[impl]);
      const tr = traces[dir].flatMap((t) => t[impl] ?? []);
      const tf = (k) =>
        med(tr.map((x) => x[k]))
          .toFixed(0)
          .padStart(5);
      const cpuAll = cpus[dir].flatMap((c) => c[impl] ?? []);
      const cpuMed = cpuAll.length ? `  cpu ${med(cpuAll).toFixed(0).padStart(5)} ms` : '';
      const traced = tr.length
        ? `  item cpu ${tf('icpu')} busy ${tf('busy')} idle ${tf('idle')} tail ${tf('tail')}`
        : '';
      const ratio =
        impl === 'piscina'
          ? ''
          : `piscina/this ${med(rounds_.map((o) => med(o.piscina) / med(o[impl]))).toFixed(2)}x`;
      console.log(
        `${impl.padEnd(14)} ${dir.split('/').slice(-3, -2)[0].padEnd(14)} case median ${med(cases).toFixed(0).padStart(5)} ms  all-runs median ${med(all).toFixed(0).padStart(5)} ms  ${ratio}${cpuMed}${traced}`,
      );
    }
}
