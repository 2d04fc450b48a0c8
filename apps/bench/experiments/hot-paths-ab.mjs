// Issue 18 experiment (by hand, not part of the suites): CPU time per item of the Pool's hot paths,
// two builds alternated, so a day's merges can be checked for a slowdown on a shared machine. Each
// sample is a fresh child per build and case (a warm pool of 2, the `square` task of
// `fixtures/mp-tasks.mjs` loaded from that build's bench folder): one warm-up call, then CALLS calls,
// the median kept. CPU is the whole process's (`process.cpuUsage()`: the host and its worker threads)
// plus its child processes' (every thread's `/proc/<pid>/task/<tid>/schedstat`, Linux) for the
// 'process' context; wall time is printed too, but on a loaded machine only CPU compares. Rounds
// alternate the order (A B, then B A). Prints the medians, their ratio B/A, and the median of the
// per-round ratios (paired: the figure to read).
// Usage: [CALLS=3] [SMALL=10000] [SEQ=1000] node experiments/hot-paths-ab.mjs <rounds> <bench folder A>
//   <bench folder B> [case,case,...]
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const CASES = [
  'map-thread',
  'map-process',
  'map-timeout-thread',
  'starmap-thread',
  'imap-gen-thread',
  'imapUnordered-gen-thread',
  'applyAsync-thread',
  'applyAsync-process',
  'applyAsync-timeout-thread',
  'apply-seq-thread',
  'apply-seq-process',
  'apply-seq-timeout-thread',
];

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** CPU ns used so far by the live child processes of this one (all their threads). */
function childrenCpuNs() {
  let ns = 0;
  for (const tid of readdirSync('/proc/self/task')) {
    let pids = [];
    try {
      pids = readFileSync(`/proc/self/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    } catch {}
    for (const pid of pids) {
      try {
        for (const t of readdirSync(`/proc/${pid}/task`)) {
          ns += Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0]);
        }
      } catch {}
    }
  }
  return ns;
}

if (process.argv[2] === 'child') {
  const [dir, name] = [process.argv[3], process.argv[4]];
  const { Pool } = await import(
    pathToFileURL(join(dir, 'node_modules/@multiproc/multiproc/dist/index.js')).href
  );
  const { tasks } = await import(pathToFileURL(join(dir, 'fixtures/mp-tasks.mjs')).href);
  const pool = new Pool({ processes: 2, context: name.endsWith('-process') ? 'process' : 'thread' });
  await pool.map(
    tasks.square,
    Array.from({ length: 1000 }, (_, i) => i),
  );
  const array = Array.from({ length: 100_000 }, (_, i) => i);
  const tuples = array.map((x) => [x]);
  const small = array.slice(0, Number(process.env.SMALL ?? 10_000));
  const seq = Number(process.env.SEQ ?? 1000);
  const far = { timeout: 600_000 }; // the abortable path; never fires
  function* gen(n) {
    for (let i = 0; i < n; i++) yield i;
  }
  const count = async (results) => {
    let c = 0;
    for await (const _ of results) c++;
    return c;
  };
  const each = async (options) =>
    (await Promise.all(small.map((x) => pool.applyAsync(tasks.square, [x], options).get()))).length;
  const sequential = async (options) => {
    for (let i = 0; i < seq; i++) await pool.apply(tasks.square, [i], options);
    return seq;
  };
  const runs = {
    'map-thread': async () => (await pool.map(tasks.square, array)).length,
    'map-process': async () => (await pool.map(tasks.square, array)).length,
    'map-timeout-thread': async () => (await pool.map(tasks.square, array, far)).length,
    'starmap-thread': async () => (await pool.starmap(tasks.square, tuples)).length,
    'imap-gen-thread': () => count(pool.imap(tasks.square, gen(1_000_000))),
    'imapUnordered-gen-thread': () => count(pool.imapUnordered(tasks.square, gen(1_000_000))),
    'applyAsync-thread': () => each(undefined),
    'applyAsync-process': () => each(undefined),
    'applyAsync-timeout-thread': () => each(far),
    'apply-seq-thread': () => sequential(undefined),
    'apply-seq-process': () => sequential(undefined),
    'apply-seq-timeout-thread': () => sequential(far),
  };
  const calls = Number(process.env.CALLS ?? 3);
  await runs[name](); // warm-up
  const rows = [];
  for (let c = 0; c < calls; c++) {
    const cpu0 = process.cpuUsage();
    const children0 = childrenCpuNs();
    const t0 = performance.now();
    const n = await runs[name]();
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const children = childrenCpuNs() - children0;
    rows.push({ wallNs: (ms * 1e6) / n, cpuNs: ((cpu.user + cpu.system) * 1000 + children) / n });
  }
  await pool.terminate();
  console.log(
    JSON.stringify({ cpuNs: median(rows.map((r) => r.cpuNs)), wallNs: median(rows.map((r) => r.wallNs)) }),
  );
} else {
  const [rounds, a, b] = [Number(process.argv[2] ?? 5), process.argv[3], process.argv[4]];
  if (!a || !b) {
    console.error(
      'usage: node experiments/hot-paths-ab.mjs <rounds> <bench folder A> <bench folder B> [cases]',
    );
    process.exit(2);
  }
  const cases = process.argv[5] ? process.argv[5].split(',') : CASES;
  const self = fileURLToPath(import.meta.url);
  const samples = Object.fromEntries(cases.map((name) => [name, { A: [], B: [] }]));
  for (let round = 0; round < rounds; round++) {
    for (const name of cases) {
      for (const side of round % 2 ? ['B', 'A'] : ['A', 'B']) {
        const out = execFileSync(process.execPath, [self, 'child', side === 'A' ? a : b, name], {
          timeout: 300_000,
        });
        samples[name][side].push(JSON.parse(out.toString().trim().split('\n').at(-1)));
      }
    }
  }
  console.log('case                      A CPU ns/item (wall)   B CPU ns/item (wall)   B/A   paired B/A');
  for (const name of cases) {
    const { A, B } = samples[name];
    const [ca, cb] = [median(A.map((s) => s.cpuNs)), median(B.map((s) => s.cpuNs))];
    const [wa, wb] = [median(A.map((s) => s.wallNs)), median(B.map((s) => s.wallNs))];
    const paired = median(A.map((s, i) => B[i].cpuNs / s.cpuNs));
    console.log(
      `${name.padEnd(25)} ${`${ca.toFixed(0)} (${wa.toFixed(0)})`.padStart(20)}   ${`${cb.toFixed(0)} (${wb.toFixed(0)})`.padStart(20)}   ${(cb / ca).toFixed(3)}   ${paired.toFixed(3)}`,
    );
  }
}
