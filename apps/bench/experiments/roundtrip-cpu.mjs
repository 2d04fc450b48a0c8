// Issue 13 experiment (by hand): CPU time per round trip on each thread for the bench's small
// object round trip (thread context), which the load of a shared machine inflates far less than
// wall time. Modes:
//   pipe   the ipc bench case: the main thread sends and awaits the echo of a Process thread
//   port   the raw MessagePort peer of the same case (a worker echoing each message)
//   floor-pipe | floor-port   both ends in this one thread, over a real MessageChannel (a thread
//          copy of the pipe end, or a port echoing): the code's own cost per round trip, both
//          sides together, with no thread to wake
// Usage: node experiments/roundtrip-cpu.mjs <mode> [round trips per sample] [samples]
import { once } from 'node:events';
import { MessageChannel, Worker } from 'node:worker_threads';
import * as mp from '@multiproc/multiproc';
import { median } from './common.mjs';
import { tasks } from './roundtrip-cpu-tasks.mjs';
import { floorRoundTrip, item } from './roundtrip-floor.mjs';
import { threadCpuNs } from './thread-cpu.mjs';

const mode = process.argv[2] ?? 'pipe';
const n = Number(process.argv[3] ?? 20_000);
const runs = Number(process.argv[4] ?? 5);
const wallUs = [];
const mainUs = [];
const workerUs = [];

let send;
let next;
let end;
if (mode.startsWith('floor-')) {
  const roundTrip = floorRoundTrip(mode);
  for (let r = 0; r < runs + 1; r++) {
    const c0 = threadCpuNs();
    for (let i = 0; i < n; i++) await roundTrip(i);
    if (r > 0) mainUs.push((threadCpuNs() - c0) / n / 1000);
  }
  console.log(`${mode}: ${median(mainUs)} µs CPU per round trip, both ends in one thread`);
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
       if (left < 0) { left = m; c0 = threadCpuNs(); return; }
       port.postMessage(m);
       if (--left === 0) { port.postMessage((threadCpuNs() - c0) / 1e6); left = -1; }
     });`,
    { eval: true, type: 'module', workerData: { port: port2 }, transferList: [port2] },
  );
  send = (m) => port1.postMessage(m);
  next = () => new Promise((resolve) => port1.once('message', resolve));
  end = async () => {
    port1.postMessage(null);
    await once(worker, 'exit');
  };
} else {
  const [a, b] = mp.Pipe();
  const p = new mp.Process({ target: tasks.pipeEcho, args: [b], context: 'thread' });
  p.start();
  await a.recv();
  send = (m) => a.send(m);
  next = () => a.recv();
  end = async () => {
    a.send(null);
    await p.join();
  };
}
for (let r = 0; r < runs + 1; r++) {
  const t0 = performance.now();
  const c0 = threadCpuNs();
  send(n);
  for (let i = 0; i < n; i++) {
    send(item(i));
    await next();
  }
  const workerMs = await next();
  if (r === 0) continue; // warm-up
  wallUs.push(((performance.now() - t0) * 1000) / n);
  mainUs.push((threadCpuNs() - c0) / n / 1000);
  workerUs.push((workerMs * 1000) / n);
}
await end();
console.log(
  `${mode}: ${median(wallUs)} µs wall per round trip; CPU µs per round trip: main ${median(mainUs)}, worker ${median(workerUs)}`,
);
process.exit(0);
