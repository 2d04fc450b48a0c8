// Issue 18 experiment (by hand, not part of the suites): CPU time of big object results, two builds
// alternated (ast11). Each round runs a fresh child per build:
//   big     a pool of one worker, `apply()` of the whole acorn AST of typescript.js (the bench's
//           `workloads/ast/` case): the parent's CPU, the worker's (its parse included), and wall
//   medium  a pool of two, `map()` of 40 ASTs of acorn.js (230 kB each): the parent's CPU and wall
// after one warm-up call, CALLS (2) timed calls a child. Medians over all calls of all rounds.
// Usage: [CALLS=n] node experiments/ast-result-cpu.mjs <big|medium> <thread|process> <rounds> <repo A> <repo B>
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median } from './common.mjs';

const here = fileURLToPath(import.meta.url);
const require = createRequire(here);
const BIG = require.resolve('typescript/lib/typescript.js', { paths: [join(dirname(here), '../../..')] });
const MEDIUM = join(dirname(require.resolve('acorn')), 'acorn.js');
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

if (process.argv[2] === 'child') {
  const [, , , mode, context] = process.argv;
  const mp = await import(process.env.MP_DIST);
  const { tasks } = await import('./ast-result-cpu-tasks.mjs');
  if (mp.isMain()) {
    const big = mode === 'big';
    const pool = new mp.Pool({ processes: big ? 1 : 2, context });
    const once = () =>
      big ? pool.apply(tasks.parseScript, [BIG]) : pool.map(tasks.parseModule, Array(40).fill(MEDIUM));
    await once();
    const rows = [];
    for (let i = 0; i < Number(process.env.CALLS ?? 2); i++) {
      const w0 = performance.now();
      const c0 = cpuMs();
      const k0 = big ? await pool.apply(tasks.cpuMs, []) : 0;
      const out = await once();
      const k1 = big ? await pool.apply(tasks.cpuMs, []) : 0;
      if (!(big ? out.body : out[39].body)) throw new Error('no AST came back');
      rows.push({ wall: performance.now() - w0, parent: cpuMs() - c0, worker: k1 - k0 });
    }
    console.log(JSON.stringify(rows));
    pool.close();
    await pool.join();
  }
} else {
  const [mode = 'big', context = 'process', rounds = '3', ...repos] = process.argv.slice(2);
  const rows = repos.map(() => []);
  for (let r = 0; r < Number(rounds); r++) {
    repos.forEach((repo, k) => {
      const dist = pathToFileURL(join(repo, 'packages/multiproc/dist/index.js')).href;
      const out = execFileSync(process.execPath, [here, 'child', mode, context], {
        env: { ...process.env, MP_DIST: dist },
        encoding: 'utf8',
      });
      rows[k].push(...JSON.parse(out.trim().split('\n').at(-1)));
      console.error(`round ${r} ${repo}: load ${loadavg()[0].toFixed(1)}`);
    });
  }
  repos.forEach((repo, k) => {
    const col = (key) => median(rows[k].map((x) => x[key]));
    console.log(
      `${mode} ${context} ${repo}: calls ${rows[k].length}, wall ${col('wall')} ms, parent CPU ${col('parent')} ms, worker CPU ${col('worker')} ms`,
    );
  });
}
