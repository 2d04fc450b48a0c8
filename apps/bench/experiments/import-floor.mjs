// Issue 18 experiment (by hand, not part of the suites): what an import of the umbrella costs against
// `import('tinypool')`, in CPU (`process.cpuUsage()` in a program, the thread's schedstat in a
// worker: wall time is noise on a shared machine), builds alternated round by round, each sample a
// fresh `node` process. Three questions:
// - `program`: a fresh program's import, for each build and for tinypool. With PRE=a,b,c the program
//   first resolves those packages (`import.meta.resolve`, nothing loaded), as any program that
//   imports a few packages has: the import is then measured without Node's one-time costs of its
//   first package resolutions (see `resolves`).
// - `worker`: a fresh worker thread's import (what each thread Process and pool worker pays, its
//   task module importing the umbrella).
// - `resolves`: the CPU of a fresh program's first bare-specifier resolutions, one by one. On Node
//   20 the second costs ~1 ms more than the others: V8 compiles Node's `invalidSegmentRegEx` (the
//   check of every `exports` target) to native code at its second run. `import('tinypool')` resolves
//   one package and never pays it; the umbrella resolves 7 (its own and the 3 packages' edges).
// Usage: node experiments/import-floor.mjs <program|worker|resolves> <rounds> [<umbrella dist/index.js>...]
// Env: NODE (the node binary: this one), PRE (packages to resolve first, `program` only).
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const [mode, rounds, ...builds] = process.argv.slice(2);
const NODE = process.env.NODE ?? process.execPath;
if (!['program', 'worker', 'resolves'].includes(mode) || !(Number(rounds) > 0)) {
  console.error('usage: node experiments/import-floor.mjs <program|worker|resolves> <rounds> [umbrella...]');
  process.exit(2);
}
const require = createRequire(import.meta.url);
const med = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const node = (code, env = {}) =>
  JSON.parse(
    execFileSync(NODE, ['--input-type=module', '-e', code], {
      env: { ...process.env, ...env },
      encoding: 'utf8',
    }),
  );

// One sample of `program`: resolve PRE, then the import's CPU (ms).
const program = `
for (const s of (process.env.PRE ?? '').split(',').filter(Boolean)) import.meta.resolve(s);
const c = process.cpuUsage();
await import(process.env.TARGET);
const u = process.cpuUsage(c);
console.log(JSON.stringify((u.user + u.system) / 1000));
`;
// One sample of `worker`: a fresh thread's CPU for the import (ms).
const workerSource = `
import { readFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
const cpu = () => Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
const c = cpu();
await import(process.env.TARGET);
parentPort.postMessage(cpu() - c);
`;
const worker = `
import { Worker } from 'node:worker_threads';
const w = new Worker(new URL('data:text/javascript,' + encodeURIComponent(${JSON.stringify(workerSource)})));
w.once('message', (ms) => { console.log(JSON.stringify(ms)); w.terminate(); });
`;
// One sample of `resolves`: each of the first bare resolutions' CPU (ms).
const resolves = `
const out = [];
for (const s of ['tinypool', '@multiproc/shared', '@multiproc/ipc', '@multiproc/core', '@multiproc/multiproc']) {
  const c = process.cpuUsage();
  import.meta.resolve(s);
  const u = process.cpuUsage(c);
  out.push((u.user + u.system) / 1000);
}
console.log(JSON.stringify(out));
`;

if (mode === 'resolves') {
  const samples = Array.from({ length: Number(rounds) }, () => node(resolves));
  const each = samples[0].map((_, i) => med(samples.map((s) => s[i])).toFixed(2));
  console.log(`${rounds} fresh programs, CPU median of the 1st..5th bare resolution (ms): ${each.join(' ')}`);
} else {
  const targets = [
    ...builds.map((b) => pathToFileURL(b).href),
    pathToFileURL(require.resolve('tinypool')).href,
  ];
  const names = [...builds, 'tinypool'];
  const samples = targets.map(() => []);
  for (let r = 0; r < Number(rounds); r++) {
    const order = targets.map((_, i) => i);
    if (r % 2) order.reverse();
    for (const i of order)
      samples[i].push(node(mode === 'program' ? program : worker, { TARGET: targets[i] }));
  }
  const pre = mode === 'program' && process.env.PRE ? ` after resolving ${process.env.PRE}` : '';
  console.log(
    `${rounds} fresh ${mode === 'program' ? 'programs' : 'worker threads'}${pre}, Node ${execFileSync(NODE, ['-v'], { encoding: 'utf8' }).trim()}, CPU medians of the import (ms):`,
  );
  const floor = med(samples.at(-1));
  for (const [i, name] of names.entries()) {
    const ms = med(samples[i]);
    console.log(`  ${ms.toFixed(2)} (${(ms / floor).toFixed(2)}x tinypool)  ${name}`);
  }
}
