// Issue 13 experiment (by hand): the floor under the thread Queue's cost per item, for the bench's
// small object, without any of the Queue's protocol. Three questions:
//   pieces      one thread: what each step a Queue item cannot skip costs, ns of CPU per item
//               (the API's two awaits, the private copy at put, the batch's JSON text both ways),
//               and what the other ways to carry a batch cost (one structured clone of the array,
//               v8.serialize + deserialize), min and median of the samples
//   json | clone | v8
//               two threads: the producer posts the items in runs of 250, as one JSON text, as the
//               array itself (structured clone, no JSON), or as v8.serialize bytes (moved); the
//               consumer decodes and reads them: µs of CPU per item on each thread
//   wake-port | wake-atomics
//               two threads whose event loops sleep between messages, woken in a ping-pong by a
//               port message or by Atomics.notify seen through Atomics.waitAsync: µs of CPU per
//               round trip on each thread, and wall time
// Usage: node experiments/queue-floor.mjs <mode> [samples]
import v8 from 'node:v8';
import { MessageChannel, Worker } from 'node:worker_threads';
import { median } from './common.mjs';
import { threadCpuNs } from './thread-cpu.mjs';

const mode = process.argv[2] ?? 'pieces';
const samples = Number(process.argv[3] ?? 7);
const N = 250_000;
const RUN = 250;
const item = (i) => ({ id: i, name: 'item', value: 1.5 });
const cpuUrl = new URL('./thread-cpu.mjs', import.meta.url).href;
let sink = 0;

// The Queue's private copy at put (packages/ipc serialize.ts jsonCopy), reduced to what this
// object needs: a plain object of JSON-exact fields.
const NO_COPY = Symbol('no copy');
function jsonCopy(v) {
  if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0) ? v : NO_COPY;
  if (typeof v !== 'object' || v === null) return v;
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return NO_COPY;
  const out = {};
  for (const key in v) {
    const c = jsonCopy(v[key]);
    if (c === NO_COPY) return NO_COPY;
    out[key] = c;
  }
  return out;
}

// Runs of RUN items through `carry` (one batch in, one batch out).
function runs(carry) {
  const run = [];
  for (let i = 0; i < N; i++) {
    run.push(item(i));
    if (run.length === RUN) {
      sink += carry(run).length;
      run.length = 0;
    }
  }
}

const DONE = Promise.resolve();
const put = () => DONE; // the home's put when admitted: a settled promise, none allocated
async function get(i) {
  return i; // a get whose item is there: an async method that does not wait
}

const pieces = {
  'make the item (in every row below)': async () => {
    for (let i = 0; i < N; i++) sink += item(i).id;
  },
  'await put() + await get()': async () => {
    for (let i = 0; i < N; i++) {
      await put();
      sink += await get(i);
    }
  },
  'private copy at put': async () => {
    for (let i = 0; i < N; i++) sink += jsonCopy(item(i)).id;
  },
  'batch JSON.stringify': async () => runs((run) => JSON.stringify(run)),
  'batch JSON.stringify + JSON.parse': async () => runs((run) => JSON.parse(JSON.stringify(run))),
  'batch structuredClone': async () => runs((run) => structuredClone(run)),
  'batch v8.serialize + deserialize': async () => runs((run) => v8.deserialize(v8.serialize(run))),
};

if (mode === 'pieces') {
  const ns = Object.fromEntries(Object.keys(pieces).map((k) => [k, []]));
  for (let s = 0; s < samples; s++) {
    for (const [name, f] of Object.entries(pieces)) {
      const c0 = threadCpuNs();
      await f();
      ns[name].push((threadCpuNs() - c0) / N);
    }
  }
  for (const [name, a] of Object.entries(ns)) {
    a.sort((x, y) => x - y);
    console.log(
      `${name.padEnd(38)} min ${a[0].toFixed(0).padStart(4)}  median ${median(a).padStart(7)} ns/item`,
    );
  }
} else if (mode === 'json' || mode === 'clone' || mode === 'v8') {
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(
    `import { workerData } from 'node:worker_threads';
     import v8 from 'node:v8';
     import { threadCpuNs } from '${cpuUrl}';
     const { port, mode } = workerData;
     let left = -1, c0 = 0, sink = 0;
     port.on('message', (m) => {
       if (m === null) return port.close();
       if (left < 0) { left = m; c0 = threadCpuNs(); return; }
       const values = mode === 'json' ? JSON.parse(m) : mode === 'v8' ? v8.deserialize(m) : m;
       for (let i = 0; i < values.length; i++) sink += values[i].id;
       left -= values.length;
       if (left === 0) { port.postMessage(threadCpuNs() - c0); left = -1; }
     });`,
    { eval: true, type: 'module', workerData: { port: port2, mode }, transferList: [port2] },
  );
  const mainUs = [];
  const workerUs = [];
  for (let s = 0; s < samples; s++) {
    const answer = new Promise((resolve) => port1.once('message', resolve));
    const c0 = threadCpuNs();
    port1.postMessage(N);
    const run = [];
    for (let i = 0; i < N; i++) {
      run.push(item(i));
      if (run.length < RUN) continue;
      if (mode === 'json') port1.postMessage(JSON.stringify(run));
      else if (mode === 'clone') port1.postMessage(run);
      else {
        const bytes = v8.serialize(run);
        port1.postMessage(bytes, [bytes.buffer]);
      }
      run.length = 0;
      // Gives the loop a turn now and then, as the Queue's put loop does (every 256 puts).
      if (i % (RUN * 8) === RUN * 8 - 1) await new Promise(setImmediate);
    }
    const workerNs = await answer;
    mainUs.push((threadCpuNs() - c0) / N / 1000);
    workerUs.push(workerNs / N / 1000);
  }
  port1.postMessage(null);
  await new Promise((resolve) => worker.once('exit', resolve));
  console.log(`${mode}: CPU µs/item, producer ${median(mainUs)}, consumer ${median(workerUs)}`);
} else if (mode === 'wake-port' || mode === 'wake-atomics') {
  const n = 20_000;
  const sab = new Int32Array(new SharedArrayBuffer(8));
  const { port1, port2 } = new MessageChannel();
  // Atomics.waitAsync's promise does not keep a Node event loop alive: each side holds a timer.
  const worker = new Worker(
    `import { parentPort, workerData } from 'node:worker_threads';
     import { threadCpuNs } from '${cpuUrl}';
     const { port, sab, mode, n } = workerData;
     const c0 = threadCpuNs();
     if (mode === 'wake-port') {
       let k = 0;
       port.on('message', () => {
         port.postMessage(0);
         if (++k === n) { parentPort.postMessage(threadCpuNs() - c0); port.close(); }
       });
     } else {
       const keep = setInterval(() => {}, 1e9);
       for (let k = 0; k < n; k++) {
         for (let v = Atomics.load(sab, 0); v !== 2 * k + 1; v = Atomics.load(sab, 0)) {
           const r = Atomics.waitAsync(sab, 0, v);
           if (r.async) await r.value;
         }
         Atomics.store(sab, 1, 2 * k + 1);
         Atomics.notify(sab, 1);
       }
       parentPort.postMessage(threadCpuNs() - c0);
       clearInterval(keep);
     }`,
    { eval: true, type: 'module', workerData: { port: port2, sab, mode, n }, transferList: [port2] },
  );
  const workerNs = new Promise((resolve) => worker.once('message', resolve));
  await new Promise((resolve) => setTimeout(resolve, 200));
  const keep = setInterval(() => {}, 1e9);
  const t0 = performance.now();
  const c0 = threadCpuNs();
  for (let k = 0; k < n; k++) {
    if (mode === 'wake-port') {
      const back = new Promise((resolve) => port1.once('message', resolve));
      port1.postMessage(0);
      await back;
    } else {
      Atomics.store(sab, 0, 2 * k + 1);
      Atomics.notify(sab, 0);
      for (let v = Atomics.load(sab, 1); v !== 2 * k + 1; v = Atomics.load(sab, 1)) {
        const r = Atomics.waitAsync(sab, 1, v);
        if (r.async) await r.value;
      }
    }
  }
  const mainNs = threadCpuNs() - c0;
  const wallUs = ((performance.now() - t0) * 1000) / n;
  const otherNs = await workerNs;
  clearInterval(keep);
  port1.close();
  await new Promise((resolve) => worker.once('exit', resolve));
  console.log(
    `${mode}: round trip ${wallUs.toFixed(1)} µs wall; CPU µs per round trip, this thread ` +
      `${(mainNs / n / 1000).toFixed(2)}, the other ${(otherNs / n / 1000).toFixed(2)}`,
  );
} else {
  console.error(`unknown mode ${mode}: pieces | json | clone | v8 | wake-port | wake-atomics`);
  process.exit(2);
}
if (sink === 0.5) console.log(sink); // keeps the work observable
