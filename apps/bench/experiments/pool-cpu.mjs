// Issue 18 experiment (by hand, not part of the suites): CPU time per item of the map-style calls,
// two builds interleaved. Each round runs a fresh child per build (a warm thread pool of 2, the
// `square` task of `fixtures/mp-tasks.mjs`, loaded from that build's bench folder) through `map` of
// 100k, `imap` of 100k, and `imap`/`imapUnordered` over a 1M-item generator, and reports wall
// items/s and CPU ns an item of the whole process (workers included: `process.cpuUsage()`), which
// a loaded machine moves far less than wall time.
// Usage: [CALLS=<calls a child>] node experiments/pool-cpu.mjs <rounds> <bench folder A> <bench folder B>
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median } from './common.mjs';

const CASES = ['map-100k', 'imap-100k', 'imap-gen-1M', 'imapUnordered-gen-1M'];

if (process.argv[2] === 'child') {
  const dir = process.argv[3];
  const { Pool } = await import(
    pathToFileURL(join(dir, 'node_modules/@multiproc/multiproc/dist/index.js')).href
  );
  const { tasks } = await import(pathToFileURL(join(dir, 'fixtures/mp-tasks.mjs')).href);
  const pool = new Pool({ processes: 2 });
  await pool.map(
    tasks.square,
    Array.from({ length: 1000 }, (_, i) => i),
  );
  const array = Array.from({ length: 100_000 }, (_, i) => i);
  function* gen(n) {
    for (let i = 0; i < n; i++) yield i;
  }
  const runs = {
    'map-100k': async () => (await pool.map(tasks.square, array)).length,
    'imap-100k': async () => {
      let c = 0;
      for await (const _ of pool.imap(tasks.square, array)) c++;
      return c;
    },
    'imap-gen-1M': async () => {
      let c = 0;
      for await (const _ of pool.imap(tasks.square, gen(1_000_000))) c++;
      return c;
    },
    'imapUnordered-gen-1M': async () => {
      let c = 0;
      for await (const _ of pool.imapUnordered(tasks.square, gen(1_000_000))) c++;
      return c;
    },
  };
  // CALLS (default 1) measured calls of each case in this child: the median is kept.
  const calls = Number(process.env.CALLS ?? 1);
  const out = {};
  for (const name of CASES) {
    await runs[name](); // warm-up
    const rows = [];
    for (let c = 0; c < calls; c++) {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const n = await runs[name]();
      const ms = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      rows.push({ perSec: n / (ms / 1000), cpuNs: ((cpu.user + cpu.system) * 1000) / n });
    }
    out[name] = {
      perSec: Number(median(rows.map((r) => r.perSec))),
      cpuNs: Number(median(rows.map((r) => r.cpuNs))),
    };
  }
  await pool.terminate();
  console.log(JSON.stringify(out));
} else {
  const [rounds, a, b] = [Number(process.argv[2] ?? 5), process.argv[3], process.argv[4]];
  const self = fileURLToPath(import.meta.url);
  const samples = { [a]: [], [b]: [] };
  for (let round = 0; round < rounds; round++) {
    for (const dir of [a, b]) {
      samples[dir].push(JSON.parse(execFileSync(process.execPath, [self, 'child', dir]).toString().trim()));
    }
  }
  for (const name of CASES) {
    const line = [a, b].map((dir) => {
      const rows = samples[dir].map((s) => s[name]);
      return `${(median(rows.map((r) => r.perSec)) / 1e6).toFixed(2)}M/s ${median(rows.map((r) => r.cpuNs))} ns`;
    });
    console.log(`${name.padEnd(22)} A ${line[0]}  |  B ${line[1]}`);
  }
}
