// Issue pipestall: what a sender at home piles up while it loops without yielding.
//   node experiments/pipe-budget.mjs pipe <thread|process> <ready|early>
//     4096 x 64 KiB sendBytes() to a reader busy 300 ms (ready: after it said 'ready'; early: at
//     once after start(), its copy not connected yet)
//   node experiments/pipe-budget.mjs queue <thread|process>
//     500k putNowait(i) to one consumer in a worker
// Prints the most messages sent and not taken yet during the loop, what the reader took by the
// loop's end, and the parent's RSS growth and peak (a thread reader's garbage counts there too).
// Run in a `main` worktree and a branch alternately.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pipe, Process, Queue } from '@multiproc/multiproc';
import { tasks } from './pipe-budget-tasks.mjs';

const [kind = 'pipe', context = 'process', mode = 'ready'] = process.argv.slice(2);
const dir = context === 'thread' ? null : mkdtempSync(join(tmpdir(), 'mp-budget-'));
const where = dir ?? new Int32Array(new SharedArrayBuffer(4));
let known = 0;
const taken = () =>
  dir === null
    ? Atomics.load(where, 0)
    : (known = Math.max(
        known,
        existsSync(join(dir, 'taken')) ? Number(readFileSync(join(dir, 'taken'), 'utf8')) || 0 : 0,
      ));
const rss0 = process.memoryUsage().rss;
let peak = rss0;
let lag = 0;
const sample = (sent) => {
  peak = Math.max(peak, process.memoryUsage().rss);
  lag = Math.max(lag, sent - taken());
};
const c0 = process.cpuUsage();
let n;
let ok;
let tookAtEnd;
let p;
if (kind === 'pipe') {
  n = 4096;
  const [a, b] = Pipe();
  p = new Process({ target: tasks.lateReader, args: [b, where, mode === 'early' ? -300 : 300, n], context });
  p.start();
  if (mode !== 'early') await a.recv();
  const buf = new Uint8Array(64 * 1024);
  for (let i = 1; i <= n; i++) {
    a.sendBytes(buf);
    if (i % 32 === 0) sample(i);
  }
  tookAtEnd = taken();
  ok = (await a.recv()) === n * buf.byteLength;
} else {
  n = 500_000;
  const q = new Queue();
  const out = new Queue();
  p = new Process({ target: tasks.consumer, args: [q, out, where], context });
  p.start();
  await out.get();
  for (let i = 0; i < n; i++) {
    q.putNowait(i);
    if (i % 1024 === 1023) sample(i + 1);
  }
  tookAtEnd = taken();
  q.putNowait(null);
  const [sum, count, ordered] = await out.get();
  ok = count === n && ordered && sum === (n * (n - 1)) / 2;
}
await p.join();
if (dir) rmSync(dir, { recursive: true, force: true });
const cpu = process.cpuUsage(c0);
const mib = (b) => +(b / 2 ** 20).toFixed(1);
console.log(
  JSON.stringify({
    kind,
    context,
    mode,
    n,
    maxNotTaken: lag,
    takenAtLoopEnd: tookAtEnd,
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    rssGrowthMiB: mib(peak - rss0),
    peakRssMiB: mib(peak),
    ok: ok && p.exitCode === 0,
  }),
);
