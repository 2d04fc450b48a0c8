// Issue 19 experiment (by hand): a manager dict's set/get pair and a Lock's acquire/release pair
// from a pool child, each kind as the product does it (set and a held release pipelined) and with
// the set or release waiting for its answer (`callMethod`), interleaved round by round in one
// program; wall rate and CPU per pair on both sides (the child, and this program, which only
// serves the manager meanwhile). CPU per pair is what the load of a shared machine moves least.
// Usage: node experiments/manager-cpu.mjs [pairs per sample] [rounds]
import * as mp from '@multiproc/multiproc';
import { median } from './common.mjs';
import { tasks } from './manager-cpu-tasks.mjs';

const n = Number(process.argv[2] ?? 5000);
const rounds = Number(process.argv[3] ?? 5);
const KINDS = ['dict', 'dictRoundTrip', 'lock', 'lockRoundTrip'];

const manager = await mp.Manager.start();
const pool = new mp.Pool({ processes: 1, context: 'process' });
const objs = { dict: manager.dict(), lock: manager.Lock() };
const objOf = (kind) => (kind.startsWith('dict') ? objs.dict : objs.lock);
const seen = Object.fromEntries(KINDS.map((k) => [k, { rate: [], child: [], manager: [] }]));
try {
  for (const kind of KINDS) await pool.apply(tasks.pairs, [kind, objOf(kind), 200]); // warm
  for (let r = 0; r < rounds; r++) {
    for (const kind of KINDS) {
      const c0 = process.cpuUsage();
      const { rate, cpuUs } = await pool.apply(tasks.pairs, [kind, objOf(kind), n]);
      const c = process.cpuUsage(c0);
      seen[kind].rate.push(rate);
      seen[kind].child.push(cpuUs);
      seen[kind].manager.push((c.user + c.system) / n);
    }
  }
} finally {
  await pool.terminate();
  await manager.shutdown();
}
console.log(`${n} pairs x ${rounds} rounds, medians: pairs/s, CPU µs per pair in the child and the manager`);
for (const kind of KINDS) {
  const s = seen[kind];
  console.log(
    `${kind.padEnd(14)} ${median(s.rate).padStart(10)} ${median(s.child).padStart(8)} ${median(s.manager).padStart(8)}`,
  );
}
