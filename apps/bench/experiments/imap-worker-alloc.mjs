// Issue 18 experiment (by hand, not part of the suites): how many bytes a pool worker allocates
// per `imap` chunk. A thread pool of 2 runs `probe` (a square that samples the worker's new-space
// use every 65,536 items) over a generator; a worker scavenges rarely during such a run, so the
// rise of new-space use between samples is what it allocated. Usage:
// node experiments/imap-worker-alloc.mjs [n] [chunksize]
import { Pool } from '@multiproc/multiproc';
import { tasks } from './imap-worker-alloc-tasks.mjs';

const n = Number(process.argv[2] ?? 4_000_000);
const chunksize = process.argv[3] ? Number(process.argv[3]) : undefined;
const pool = new Pool({ processes: 2 });
await pool.map(
  tasks.probe,
  Array.from({ length: 1000 }, (_, i) => i),
);
await Promise.all([pool.apply(tasks.report), pool.apply(tasks.report)]);
function* items() {
  for (let i = 0; i < n; i++) yield i;
}
let got = 0;
for await (const _ of pool.imap(tasks.probe, items(), chunksize ? { chunksize } : {})) got++;
// One report per worker: two at once land on both (each is one call on a free worker).
const reports = await Promise.all([pool.apply(tasks.report), pool.apply(tasks.report)]);
await pool.terminate();
for (const r of reports) {
  const rises = [];
  for (let i = 1; i < r.samples.length; i++) {
    const d = r.samples[i] - r.samples[i - 1];
    if (d > 0) rises.push(d);
  }
  rises.sort((a, b) => a - b);
  const med = rises[rises.length >> 1] ?? NaN;
  console.log(
    `worker: ${r.count} items, ${r.samples.length} samples, ${rises.length} without a scavenge; ` +
      `median ${(med / 65_536).toFixed(3)} B an item = ${(((med / 65_536) * 16_384) / 1e3).toFixed(1)} kB a 16k chunk; ` +
      `new space ${(r.size / 1e6).toFixed(1)} MB, used ${(r.used / 1e6).toFixed(1)} MB`,
  );
}
if (got !== n) throw new Error(`got ${got} of ${n}`);
