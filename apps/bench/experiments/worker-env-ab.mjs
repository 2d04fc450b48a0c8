// The host's cost of `new Worker()` given `env: process.env` (Node copies it key by key in
// JavaScript, then natively) against no `env` option (Node copies the environment natively only):
// ms inside the constructor call, and the worker's wall time to 'exit', alternated.
// Usage: node experiments/worker-env-ab.mjs [rounds=40]
import { Worker } from 'node:worker_threads';

const rounds = Number(process.argv[2] ?? 40);
const url = new URL('../fixtures/empty.mjs', import.meta.url);
const variants = { env: () => new Worker(url, { env: process.env }), none: () => new Worker(url, {}) };
const res = { env: { ctor: [], wall: [] }, none: { ctor: [], wall: [] } };
for (let r = 0; r < rounds + 3; r++) {
  for (const [k, make] of Object.entries(variants)) {
    const t0 = performance.now();
    const w = make();
    const t1 = performance.now();
    await new Promise((res) => w.once('exit', res));
    if (r >= 3) {
      res[k].ctor.push(t1 - t0);
      res[k].wall.push(performance.now() - t0);
    }
  }
}
const q = (a, p) => [...a].sort((x, y) => x - y)[Math.floor(a.length * p)];
for (const [k, { ctor, wall }] of Object.entries(res))
  console.log(
    k.padEnd(5),
    `constructor min ${q(ctor, 0).toFixed(3)} med ${q(ctor, 0.5).toFixed(3)} ms; to exit min ${q(wall, 0).toFixed(1)} med ${q(wall, 0.5).toFixed(1)}`,
  );
