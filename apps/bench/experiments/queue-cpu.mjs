// Issue 13 experiment (by hand): CPU time per item on each thread for the bench's one-way small
// objects (thread context), which the load of a shared machine does not inflate as it does wall
// time. Modes:
//   queue | pipe   the ipc bench case: the main thread puts/sends, a Process thread takes
//   port           the raw MessagePort peer of the same case (a worker answering its CPU time)
//   floor          one thread: a home Queue and a thread copy of it over a real MessageChannel,
//                  the same put loop and get loop (both sides' per-item cost, no cross-thread wait)
// Usage: node experiments/queue-cpu.mjs <mode> [items per sample] [samples]
// ITEM=int|str puts a number or a short string instead of the bench's small object (the put path's
// cost without most of the encoding).
import { once } from 'node:events';
import { MessageChannel, Worker } from 'node:worker_threads';
import * as mp from '@multiproc/multiproc';
import { decodeValue, encodeValue } from '@multiproc/shared';
import { median } from './common.mjs';
import { tasks } from './queue-cpu-tasks.mjs';
import { threadCpuNs } from './thread-cpu.mjs';

const mode = process.argv[2] ?? 'queue';
const n = Number(process.argv[3] ?? 200_000);
const runs = Number(process.argv[4] ?? 5);
const shape = process.env.ITEM ?? 'object';
const item =
  shape === 'int' ? (i) => i : shape === 'str' ? () => 'item' : (i) => ({ id: i, name: 'item', value: 1.5 });
const rate = [];
const mainUs = [];
const workerUs = [];
const restUs = [];
const processUs = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

if (mode === 'floor') {
  const q = new mp.Queue();
  const copy = decodeValue(encodeValue(q, 'thread').value, 'thread');
  for (let r = 0; r < runs; r++) {
    const c0 = threadCpuNs();
    const consumer = (async () => {
      for (let i = 0; i < n; i++) await copy.get();
    })();
    for (let i = 0; i < n; i++) await q.put(item(i));
    await consumer;
    mainUs.push((threadCpuNs() - c0) / n / 1000);
  }
  console.log(`floor: put + get in one thread ${median(mainUs)} µs CPU/item`);
  process.exit(0);
}

if (mode === 'port') {
  const { port1, port2 } = new MessageChannel();
  const cpu = new URL('./thread-cpu.mjs', import.meta.url).href;
  const worker = new Worker(
    `import { workerData } from 'node:worker_threads';
     import { threadCpuNs } from '${cpu}';
     const { port } = workerData;
     let left = -1, c0 = 0;
     port.on('message', (m) => {
       if (m === null) return port.close();
       if (left < 0) { left = m; c0 = threadCpuNs(); } else left--;
       if (left === 0) { port.postMessage((threadCpuNs() - c0) / 1e6); left = -1; }
     });`,
    { eval: true, type: 'module', workerData: { port: port2 }, transferList: [port2] },
  );
  const next = () => new Promise((resolve) => port1.once('message', resolve));
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    const c0 = threadCpuNs();
    port1.postMessage(n);
    for (let i = 0; i < n; i++) port1.postMessage(item(i));
    const workerMs = await next();
    rate.push(n / (performance.now() - t0) / 1000);
    mainUs.push((threadCpuNs() - c0) / n / 1000);
    workerUs.push((workerMs * 1000) / n);
  }
  port1.postMessage(null);
  await once(worker, 'exit');
  console.log(
    `port: ${median(rate)}M msgs/s wall; CPU µs/item: main ${median(mainUs)}, worker ${median(workerUs)}`,
  );
  process.exit(0);
}

const queue = mode === 'queue';
const q = queue ? new mp.Queue() : null;
const done = queue ? new mp.Queue() : null;
const [a, b] = queue ? [null, null] : mp.Pipe();
const p = new mp.Process({
  target: queue ? tasks.queueSink : tasks.pipeSink,
  args: queue ? [q, done] : [b],
  context: 'thread',
});
p.start();
queue ? await done.get() : await a.recv();
for (let r = 0; r < runs; r++) {
  const t0 = performance.now();
  const c0 = threadCpuNs();
  const p0 = processUs();
  if (queue) {
    await q.put(n);
    for (let i = 0; i < n; i++) await q.put(item(i));
  } else {
    a.send(n);
    for (let i = 0; i < n; i++) a.send(item(i));
  }
  const workerMs = queue ? await done.get() : await a.recv();
  rate.push(n / (performance.now() - t0) / 1000);
  mainUs.push((threadCpuNs() - c0) / n / 1000);
  workerUs.push((workerMs * 1000) / n);
  // Every other thread of the process: V8's helpers (GC, compiler), libuv's pool.
  restUs.push((processUs() - p0) / n - mainUs.at(-1) - workerUs.at(-1));
}
queue ? await q.put(null) : a.send(null);
await p.join();
console.log(
  `${mode}: ${median(rate)}M msgs/s wall; CPU µs/item: main ${median(mainUs)}, worker ${median(workerUs)}, other threads ${median(restUs)}`,
);
