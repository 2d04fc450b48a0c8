// Issue 18 experiment (by hand): where a pool worker allocates during an `imap` run (sampling heap
// profile of each worker, objects collected by a GC included). Usage: node experiments/imap-worker-prof.mjs [n]
import { Pool } from '@multiproc/multiproc';
import { tasks } from '../fixtures/mp-tasks.mjs';
import { prof } from './imap-worker-alloc-tasks.mjs';

const n = Number(process.argv[2] ?? 2_000_000);
const pool = new Pool({ processes: 2 });
await pool.map(
  tasks.square,
  Array.from({ length: 1000 }, (_, i) => i),
);
await Promise.all([pool.apply(prof.startProf), pool.apply(prof.startProf)]);
function* items() {
  for (let i = 0; i < n; i++) yield i;
}
for await (const _ of pool.imap(tasks.square, items()));
const sites = await pool.apply(prof.stopProf);
await pool.terminate();
let total = 0;
for (const [, b] of sites) total += b;
for (const [k, b] of sites) console.log(`${(b / 1e3).toFixed(1).padStart(8)} kB  ${k}`);
console.log(
  `total top sites ${(total / 1e3).toFixed(0)} kB over ${n} items`,
  typeof other === 'string' ? other : '',
);
