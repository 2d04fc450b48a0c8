// Issue 18 experiment (by hand, not part of the suites): what a fresh program's import of the
// umbrella and its first Queue, Pipe, Semaphore, Event, Lock or process-context Queue or Pipe cost, in CPU (`process.cpuUsage()` around
// each step: wall time is noise on a shared machine), builds alternated round by round. Each sample
// is a fresh `node` process that imports the umbrella, then makes one object; also printed: the
// Node modules (`process.moduleLoadList`, public ones) and package files the first make loaded.
// Usage: node experiments/first-make-ab.mjs <rounds> <umbrella dist/index.js>...
// Env: KINDS (queue,pipe,semaphore,event; also lock, ctxQueue, ctxPipe), NODE (the node binary: this one).
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';

const [rounds, ...builds] = process.argv.slice(2);
if (!rounds || builds.length === 0) {
  console.error('usage: node experiments/first-make-ab.mjs <rounds> <umbrella dist/index.js>...');
  process.exit(2);
}
const KINDS = (process.env.KINDS ?? 'queue,pipe,semaphore,event').split(',');
const med = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// One sample: the child's program. Prints one JSON line.
const child = `
const ms = (c) => (c.user + c.system) / 1000;
const { createRequire } = await import('node:module');
const require = createRequire(import.meta.url);
let c = process.cpuUsage();
const mp = await import(process.env.UMBRELLA);
const importMs = ms(process.cpuUsage(c));
const modules = new Set(process.moduleLoadList);
const files = new Set(Object.keys(require.cache));
c = process.cpuUsage();
const made = {
  queue: () => new mp.Queue(),
  pipe: () => mp.Pipe(),
  semaphore: () => new mp.Semaphore(1),
  event: () => new mp.Event(),
  lock: () => new mp.Lock(),
  // The process context's queues and pipes (its Lock, Value and others start a manager process).
  ctxQueue: () => mp.getContext('process').Queue(),
  ctxPipe: () => mp.getContext('process').Pipe(),
}[process.env.KIND]();
const makeMs = ms(process.cpuUsage(c));
const builtins = process.moduleLoadList
  .filter((m) => !modules.has(m) && /^NativeModule (?!internal\\/)/.test(m))
  .map((m) => m.slice(13));
const loaded = Object.keys(require.cache).filter((f) => !files.has(f)).map((f) => f.replace(/.*[\\\\/]packages[\\\\/]/, ''));
for (const x of [made].flat()) x.close?.();
console.log(JSON.stringify({ importMs, makeMs, builtins, loaded }));
`;

const samples = new Map(); // `${build}\t${kind}` → [{ importMs, makeMs, ... }]
for (let r = 0; r < Number(rounds); r++) {
  for (const kind of KINDS) {
    const order = r % 2 ? [...builds].reverse() : builds;
    for (const build of order) {
      const out = execFileSync(process.env.NODE ?? process.execPath, ['--input-type=module', '-e', child], {
        env: { ...process.env, UMBRELLA: pathToFileURL(build).href, KIND: kind },
        encoding: 'utf8',
      });
      const key = `${build}\t${kind}`;
      if (!samples.has(key)) samples.set(key, []);
      samples.get(key).push(JSON.parse(out));
    }
  }
}
console.log(`${rounds} fresh processes a build and kind, CPU medians in ms (import / first make):`);
for (const build of builds) {
  console.log(build);
  const imports = KINDS.flatMap((kind) => samples.get(`${build}\t${kind}`).map((s) => s.importMs));
  console.log(`  import: ${med(imports).toFixed(1)} (all kinds' samples)`);
  for (const kind of KINDS) {
    const s = samples.get(`${build}\t${kind}`);
    const last = s.at(-1);
    console.log(
      `  ${kind}: ${med(s.map((x) => x.makeMs)).toFixed(1)}  loads ${last.loaded.join(' ') || '-'}; ${last.builtins.join(' ') || 'no Node module'}`,
    );
  }
}
