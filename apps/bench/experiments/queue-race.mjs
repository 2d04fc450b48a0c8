// Issue 13 experiment (by hand): why the thread Queue row swings between identical runs. Runs the
// bench's `small-thread` Queue case (or the raw MessagePort peer) and prints, per sample: msgs/s,
// each thread's CPU, run-queue wait (runnable but not running) and number of time slices (from
// /proc/thread-self/schedstat), the producer's batches (postMessage calls and items per batch, as a
// histogram), the consumer's messages back, and the GC pauses of each thread.
// Usage: node experiments/queue-race.mjs <queue|port> [items per sample] [samples]
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { readlinkSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
import { MessageChannel, MessagePort, Worker } from 'node:worker_threads';
import * as mp from '@multiproc/multiproc';
import { tasks } from './queue-race-tasks.mjs';
import { threadStat } from './thread-cpu.mjs';

const mode = process.argv[2] ?? 'queue';
const n = Number(process.argv[3] ?? 200_000);
const runs = Number(process.argv[4] ?? 7);
const item = (i) => ({ id: i, name: 'item', value: 1.5 });
const ITEM_CHARS = JSON.stringify(item(100000)).length + 1;

// Producer side: every postMessage of this thread, with the items it carries (runs are JSON texts
// of the bench's item; a plain message of the raw peer is one item).
const posts = [];
const post = MessagePort.prototype.postMessage;
MessagePort.prototype.postMessage = function (msg, transfer) {
  let items = 0;
  if (Array.isArray(msg)) {
    for (let i = 3; i < msg.length; i += 4)
      if (typeof msg[i] === 'string') items += Math.round(msg[i].length / ITEM_CHARS);
  } else items = 1;
  posts.push(items);
  return post.call(this, msg, transfer);
};
const gcs = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcs.push(e.duration);
}).observe({ entryTypes: ['gc'] });

const BINS = [1, 2, 4, 16, 64, 256, 1024, Infinity];
function histogram(sizes) {
  const counts = BINS.map(() => 0);
  for (const s of sizes) if (s > 0) counts[BINS.findIndex((b) => s <= b)]++;
  return BINS.map((b, i) => (counts[i] ? `<=${b === Infinity ? 'inf' : b}:${counts[i]}` : ''))
    .filter(Boolean)
    .join(' ');
}
const sum = (a) => a.reduce((x, y) => x + y, 0);
const f = (x, d = 2) => x.toFixed(d);

let putBatch;
let end;
if (mode === 'port') {
  const { port1, port2 } = new MessageChannel();
  const cpu = new URL('./thread-cpu.mjs', import.meta.url).href;
  const worker = new Worker(
    `import { workerData } from 'node:worker_threads';
     import { PerformanceObserver } from 'node:perf_hooks';
     import { readlinkSync } from 'node:fs';
     import { threadStat } from '${cpu}';
     const gcs = [];
     new PerformanceObserver((l) => { for (const e of l.getEntries()) gcs.push(e.duration); }).observe({ entryTypes: ['gc'] });
     const { port } = workerData;
     let left = -1, s0;
     port.on('message', (m) => {
       if (m === null) return port.close();
       if (left < 0) { left = m; s0 = threadStat(); gcs.length = 0; } else left--;
       if (left === 0) { const s = threadStat(); port.postMessage({ tid: readlinkSync('/proc/thread-self').split('/').pop(), cpu: s.cpu - s0.cpu, wait: s.wait - s0.wait, slices: s.slices - s0.slices, posts: 0, gc: gcs.slice() }); left = -1; }
     });`,
    { eval: true, type: 'module', workerData: { port: port2 }, transferList: [port2] },
  );
  const next = () => new Promise((resolve) => port1.once('message', resolve));
  putBatch = async () => {
    port1.postMessage(n);
    for (let i = 0; i < n; i++) port1.postMessage(item(i));
    return next();
  };
  end = async () => {
    port1.postMessage(null);
    await once(worker, 'exit');
  };
} else {
  const q = new mp.Queue();
  const done = new mp.Queue();
  const p = new mp.Process({ target: tasks.queueSink, args: [q, done], context: 'thread' });
  p.start();
  await done.get();
  putBatch = async () => {
    await q.put(n);
    for (let i = 0; i < n; i++) await q.put(item(i));
    return done.get();
  };
  end = async () => {
    await q.put(null);
    await p.join();
  };
}

console.log(
  `${mode}, ${n} items per sample, node ${process.version}, load ${(await import('node:os'))
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);
const sampler = fork(new URL('./placement-sampler.mjs', import.meta.url));
await once(sampler, 'message');
const mainTid = readlinkSync('/proc/thread-self').split('/').pop();
const placement = async () => {
  sampler.send('report');
  const [c] = await once(sampler, 'message');
  const all = c.same + c.apart + c.oneIdle + c.bothIdle || 1;
  const pc = (x) => `${Math.round((100 * x) / all)}%`;
  return `${pc(c.apart)} apart, ${pc(c.same)} same CPU, ${pc(c.oneIdle)} one asleep (${all})`;
};
console.log(
  'sample | kmsgs/s | producer cpu/wait µs/item, slices | consumer cpu/wait µs/item, slices | producer posts, items/post histogram | consumer posts | gc ms main (n) / worker (n) | both runnable: on two CPUs / one CPU; one asleep',
);
for (let r = 0; r <= runs; r++) {
  posts.length = 0;
  gcs.length = 0;
  const s0 = threadStat();
  const t0 = performance.now();
  const w = await putBatch();
  const ms = performance.now() - t0;
  const s = threadStat();
  const sizes = posts.slice();
  if (r === 0) sampler.send([mainTid, w.tid]);
  const where = r === 0 ? '-' : await placement();
  console.log(
    [
      r === 0 ? 'warm-up' : `${r}`,
      f(n / ms, 0),
      `${f((s.cpu - s0.cpu) / n / 1e3)}/${f((s.wait - s0.wait) / n / 1e3)}, ${s.slices - s0.slices}`,
      `${f(w.cpu / n / 1e3)}/${f(w.wait / n / 1e3)}, ${w.slices}`,
      `${sizes.length}, ${histogram(sizes)}`,
      w.posts,
      `${f(sum(gcs), 1)} (${gcs.length}) / ${f(sum(w.gc), 1)} (${w.gc.length})`,
      where,
    ].join(' | '),
  );
}
sampler.send('exit');
await end();
