// Issue 18 experiment (by hand, not part of the suites): one child of an A/B of the parse rows
// (perfw61). A throwaway pool first (a program's first thread runs tinypool's own entry; every later
// one the pool entry), then a fresh pool of 2, the suite's one-in-ten warm-up and RUNS (5) whole runs
// of IMPL (map; imap, imapUnordered) over the suite's 4 MB set biggest first, run from this folder.
// Prints [wall ms, whole-process CPU ms] per run. Alternate it with another build in fresh children
// (for instance with a resolve hook loaded by `--import` that maps one build's dist to the other's).
// Usage: [IMPL=map] [RUNS=5] node experiments/map-parse-runs.mjs
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = process.cwd();
const url = (p) => pathToFileURL(join(dir, p)).href;
const { Pool } = await import(url('node_modules/@multiproc/multiproc/dist/index.js'));
const { pickFiles } = await import(url('dist/workload-files.js'));
const { tasks } = await import(url('fixtures/workload-tasks.mjs'));
const files = [...pickFiles(4_000_000, 400_000, 2000)].sort((a, b) => b.bytes - a.bytes);
const items = files.map((f) => f.path);
const first = new Pool({ processes: 2 });
await first.map(tasks.parseFile, items.slice(0, 4));
await first.terminate();
const pool = new Pool({ processes: 2 });
const impl = process.env.IMPL ?? 'map';
const drain = async (it) => {
  const o = [];
  for await (const v of it) o.push(v);
  return o;
};
const run = (xs) => (impl === 'map' ? pool.map(tasks.parseFile, xs) : drain(pool[impl](tasks.parseFile, xs)));
await run(items.filter((_, i) => i % 10 === 0));
const rows = [];
for (let r = 0; r < Number(process.env.RUNS ?? 5); r++) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await run(items);
  const c = process.cpuUsage(c0);
  rows.push([performance.now() - t0, (c.user + c.system) / 1000]);
}
await pool.terminate();
console.log(JSON.stringify(rows));
