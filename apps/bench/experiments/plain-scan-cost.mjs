// Issue 18 experiment (by hand, not part of the suites): the codec's quick scan (`isPlainData`, run by
// `encodeValue()`) of a big acorn AST, as a thread's result goes (perfw61). Parses F once, then scans
// it N times, printing the CPU ms of each scan. Under callgrind, the instructions of N = 40 less
// those of N = 10 give 30 steady scans. SH: the shared build to load (default: this repo's).
// Usage: F=<file.js> [N=8] [SH=<shared dist index.js URL>] node experiments/plain-scan-cost.mjs
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = fileURLToPath(import.meta.url);
const require = createRequire(here);
const { parse } = require('acorn');
const sh = await import(
  process.env.SH ?? pathToFileURL(join(here, '../../../../packages/shared/dist/index.js')).href
);
const file =
  process.env.F ?? require.resolve('typescript/lib/typescript.js', { paths: [join(here, '../../../..')] });
const ast = parse(readFileSync(file, 'utf8'), { ecmaVersion: 'latest', sourceType: 'script' });
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const out = [];
for (let i = 0; i < Number(process.env.N ?? 8); i++) {
  const c0 = cpuMs();
  const r = sh.encodeValue(ast, 'thread', 'result', { errors: () => 0 });
  out.push(cpuMs() - c0);
  if (r.encoded) throw new Error('the AST needed encoding');
}
console.log(out.map((x) => x.toFixed(0)).join(' '));
