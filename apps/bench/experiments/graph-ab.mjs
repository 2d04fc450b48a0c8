// Fresh bare workers of several main modules, alternated: wall ms from new Worker() to 'exit', and the
// worker thread's own CPU (/proc/self/task/<tid>/schedstat read at exit by the worker itself).
// Usage: node experiments/graph-ab.mjs <rounds> <fixture.mjs> [fixture.mjs...], e.g.
// node experiments/graph-ab.mjs 40 empty.mjs tl-floor.mjs g1-main.mjs g2-main.mjs
import { Worker } from 'node:worker_threads';

const [rounds, ...mods] = process.argv.slice(2);
const res = new Map(mods.map((m) => [m, { wall: [], cpu: [] }]));
const cpuSrc = `process.on('exit', () => { const s = process.getBuiltinModule('fs').readFileSync('/proc/thread-self/schedstat', 'utf8'); process.getBuiltinModule('worker_threads').parentPort.postMessage(Number(s.split(' ')[0]) / 1e6); });`;
for (let r = 0; r < Number(rounds) + 2; r++) {
  for (const m of mods) {
    const url = new URL(`../fixtures/${m}`, import.meta.url);
    const t0 = performance.now();
    const w = new Worker(`${cpuSrc}\nimport(${JSON.stringify(url.href)});`, {
      eval: true,
      env: { ...process.env, TL_FD: '' },
    });
    let cpu = NaN;
    w.on('message', (c) => {
      cpu = c;
    });
    await new Promise((res) => w.once('exit', res));
    if (r >= 2) {
      res.get(m).wall.push(performance.now() - t0);
      res.get(m).cpu.push(cpu);
    }
  }
}
const q = (a, p) => a.sort((x, y) => x - y)[Math.floor(a.length * p)];
for (const [m, { wall, cpu }] of res)
  console.log(
    m.padEnd(22),
    `wall min ${q(wall, 0).toFixed(2)} med ${q(wall, 0.5).toFixed(2)}  cpu min ${q(cpu, 0).toFixed(2)} med ${q(cpu, 0.5).toFixed(2)}`,
  );
