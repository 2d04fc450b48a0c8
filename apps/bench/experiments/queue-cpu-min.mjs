// Issue 13 (session 17): like queue-cpu.mjs (the bench's one-way small objects, thread context), with
// the min beside the median of each figure (on a loaded machine the noise only adds, so the min is
// the steadier one) and the main thread's postMessage calls per sample (the batches sent).
// Usage: node experiments/queue-cpu-min.mjs <queue|pipe> [items per sample] [samples]
import { MessagePort } from 'node:worker_threads';
import * as mp from '@multiproc/multiproc';
import { tasks } from './queue-cpu-tasks.mjs';
import { threadCpuNs } from './thread-cpu.mjs';

const mode = process.argv[2] ?? 'queue';
const n = Number(process.argv[3] ?? 200_000);
const runs = Number(process.argv[4] ?? 7);
const item = (i) => ({ id: i, name: 'item', value: 1.5 });
let posts = 0;
const post = MessagePort.prototype.postMessage;
MessagePort.prototype.postMessage = function (...args) {
  posts++;
  return post.apply(this, args);
};
const cols = { rate: [], main: [], worker: [], rest: [], posts: [] };
const processUs = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
const queue = mode === 'queue';
const q = queue ? new mp.Queue() : null;
const done = queue ? new mp.Queue() : null;
const [a, b] = queue ? [null, null] : mp.Pipe();
const p = new mp.Process({ target: queue ? tasks.queueSink : tasks.pipeSink, args: queue ? [q, done] : [b] });
p.start();
queue ? await done.get() : await a.recv();
for (let r = 0; r <= runs; r++) {
  const t0 = performance.now();
  const c0 = threadCpuNs();
  const p0 = processUs();
  const k0 = posts;
  if (queue) {
    await q.put(n);
    for (let i = 0; i < n; i++) await q.put(item(i));
  } else {
    a.send(n);
    for (let i = 0; i < n; i++) a.send(item(i));
  }
  const workerMs = queue ? await done.get() : await a.recv();
  if (r === 0) continue; // warm-up
  cols.rate.push(n / (performance.now() - t0) / 1000);
  const main = (threadCpuNs() - c0) / n / 1000;
  const worker = (workerMs * 1000) / n;
  cols.main.push(main);
  cols.worker.push(worker);
  cols.rest.push((processUs() - p0) / n - main - worker);
  cols.posts.push(posts - k0);
}
queue ? await q.put(null) : a.send(null);
await p.join();
const sorted = (xs) => [...xs].sort((x, y) => x - y);
const fmt = (xs, d = 2) => `${sorted(xs)[0].toFixed(d)}/${sorted(xs)[xs.length >> 1].toFixed(d)}`;
console.log(
  `${mode} min/median: wall ${fmt(cols.rate)}M/s; CPU µs/item main ${fmt(cols.main)}, worker ${fmt(cols.worker)}, other ${fmt(cols.rest)}; posts ${fmt(cols.posts, 0)}`,
);
