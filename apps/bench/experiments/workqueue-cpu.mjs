// Issue 13 experiment (by hand): CPU per item of the bench's work queue (2 producers x 2 consumers
// on one JoinableQueue, the `ipc/workqueue` row's tasks), summed over every process: the home (this
// process) and each worker child, from /proc (Linux). CPU time, unlike items/s, holds up while other
// programs share the machine; run it in alternation against a baseline build.
// Usage: node experiments/workqueue-cpu.mjs [process|thread] [items per producer] [rounds]
import { readFileSync } from 'node:fs';
import * as mp from '@multiproc/multiproc';
import { tasks } from '../fixtures/mp-tasks.mjs';

const ctx = process.argv[2] ?? 'process';
const n = Number(process.argv[3] ?? 20_000);
const rounds = Number(process.argv[4] ?? 5);
const tick = 1e6 / 100; // us per clock tick (USER_HZ 100)

/** utime + stime of `pid` in us. */
function cpuOf(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'latin1');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) * tick;
}
const jobs = new mp.JoinableQueue();
const go = new mp.Queue();
const done = new mp.Queue();
const consumers = [0, 1].map(
  () => new mp.Process({ target: tasks.workConsumer, args: [jobs], context: ctx }),
);
const producers = [0, 1].map(
  (id) => new mp.Process({ target: tasks.workProducer, args: [go, jobs, done, id], context: ctx }),
);
const all = [...consumers, ...producers];
for (const w of all) w.start();
const snap = () => ({
  home: process.cpuUsage(),
  kids: ctx === 'process' ? all.map((w) => cpuOf(w.pid)) : [],
});
const round = async (k) => {
  for (let i = 0; i < 2; i++) await go.put(k);
  for (let i = 0; i < 2; i++) await done.get();
  await jobs.join();
};
await round(100);
const rows = [];
for (let r = 0; r < rounds; r++) {
  const s0 = snap();
  const t0 = performance.now();
  await round(n);
  const ms = performance.now() - t0;
  const s1 = snap();
  const h = process.cpuUsage(s0.home);
  const items = 2 * n;
  const per = (us) => us / items;
  const kid = s1.kids.map((c, i) => per(c - s0.kids[i]));
  const home = per(h.user + h.system);
  const total = home + kid.reduce((a, b) => a + b, 0);
  rows.push(total);
  console.log(
    `${(((items / ms) * 1000) / 1000).toFixed(1)}k items/s; CPU us/item: total ${total.toFixed(1)}, home` +
      ` ${home.toFixed(1)}, consumers ${kid.slice(0, 2).map((x) => x.toFixed(1))}, producers` +
      ` ${kid.slice(2).map((x) => x.toFixed(1))}`,
  );
}
rows.sort((a, b) => a - b);
console.log(`median total CPU ${rows[rows.length >> 1].toFixed(1)} us/item`);
for (let i = 0; i < 2; i++) {
  await go.put(null);
  await jobs.put(null);
}
for (const w of all) await w.join();
