// A forked child that runs its module as its main file, against one started through `-e "import(url)"`
// (how a process pool's child runs the pool entry in place of tinypool's): the child's own CPU
// (user+sys from process.resourceUsage() at its exit) and wall to 'exit', alternated.
// Usage: node experiments/fork-eval-ab.mjs <rounds> [module=umbrella-import.mjs]
import { fork } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [rounds = '15', mod = 'umbrella-import.mjs'] = process.argv.slice(2);
const file = new URL(`../fixtures/${mod}`, import.meta.url);
const out = join(tmpdir(), `fork-eval-${process.pid}`);
const report = join(tmpdir(), `fork-eval-${process.pid}.cjs`);
writeFileSync(
  report,
  `process.on('exit', () => { const r = process.resourceUsage(); require('fs').appendFileSync(${JSON.stringify(out)}, ((r.userCPUTime + r.systemCPUTime) / 1000) + '\\n'); });`,
);
const variants = {
  main: () => fork(file.pathname, [], { execArgv: ['--require', report], stdio: 'inherit' }),
  eval: () =>
    fork(file.pathname, [], {
      execArgv: ['--require', report, '-e', `import (${JSON.stringify(file.href)})`],
      stdio: 'inherit',
    }),
  evalAdv: () =>
    fork(file.pathname, [], {
      serialization: 'advanced',
      execArgv: ['--require', report, '-e', `import (${JSON.stringify(file.href)})`],
      stdio: 'inherit',
    }),
};
const res = Object.fromEntries(Object.keys(variants).map((k) => [k, { wall: [], cpu: [] }]));
for (let r = 0; r < Number(rounds) + 1; r++) {
  for (const [k, start] of Object.entries(variants)) {
    rmSync(out, { force: true });
    const t0 = performance.now();
    const c = start();
    await new Promise((res) => c.once('exit', res));
    const wall = performance.now() - t0;
    if (r === 0) continue;
    res[k].wall.push(wall);
    res[k].cpu.push(Number(readFileSync(out, 'utf8')));
  }
}
rmSync(out, { force: true });
rmSync(report);
const q = (a, p) => [...a].sort((x, y) => x - y)[Math.floor(a.length * p)];
for (const [k, { wall, cpu }] of Object.entries(res))
  console.log(
    k.padEnd(8),
    `wall min ${q(wall, 0).toFixed(1)} med ${q(wall, 0.5).toFixed(1)}  cpu min ${q(cpu, 0).toFixed(1)} med ${q(cpu, 0.5).toFixed(1)}`,
  );
