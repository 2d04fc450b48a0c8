// Issue 13 experiment (by hand): the floor of a work queue whose home answers each get with one
// item (what the delivery rule leaves when consumers wait), against a home that lends a batch to a
// consumer and takes back what it has not claimed, synchronously, through an Atomics word. Raw
// worker_threads and MessagePorts, no multiproc: a hub (this thread) holds N small objects; 2
// consumer threads take them all. Prints items/s and CPU per item of the hub and of the consumers.
// Usage: node experiments/workqueue-floor.mjs [one|loan] [items] [rounds] [loan size]
import { MessageChannel, Worker } from 'node:worker_threads';
import { threadCpuNs } from './thread-cpu.mjs';

const mode = process.argv[2] ?? 'one';
const N = Number(process.argv[3] ?? 20_000);
const rounds = Number(process.argv[4] ?? 5);
const LOAN = Number(process.argv[5] ?? 256);
const CONSUMERS = 2;
const SEQ_SHIFT = 20;
const AVAIL = (1 << SEQ_SHIFT) - 1;

const workerCode = `
const { parentPort, workerData } = require('node:worker_threads');
const { openSync, readSync } = require('node:fs');
const buf = Buffer.alloc(128); let fd = -1;
const cpu = () => { if (fd < 0) fd = openSync('/proc/thread-self/schedstat', 'r');
  return Number(buf.toString('latin1', 0, readSync(fd, buf, 0, 128, 0)).split(' ')[0]); };
const { port, word, loan } = workerData;
const w = new Int32Array(word);
let batch = null, seq = -1, waiting = null, taken = 0, c0 = 0;
// One get: a lent item claimed here, else a round trip to the hub.
function get() {
  if (loan && batch) {
    for (;;) {
      const v = Atomics.load(w, 0);
      if (v >>> ${SEQ_SHIFT} !== seq || (v & ${AVAIL}) === 0) { batch = null; break; }
      if (Atomics.compareExchange(w, 0, v, v - 1) === v) return Promise.resolve(batch[batch.length - (v & ${AVAIL})]);
    }
  }
  return new Promise((resolve) => { waiting = resolve; port.postMessage(0); });
}
port.on('message', (m) => {
  if (m === 'go') { taken = 0; c0 = cpu(); void run(); return; }
  if (m.loan) { seq = m.seq; batch = JSON.parse(m.text); }
  const r = waiting; waiting = null; r(m.item);
});
async function run() {
  for (;;) {
    const item = await get();
    if (item === null) break;
    taken++;
  }
  port.postMessage({ taken, cpu: cpu() - c0 });
}
`;
const item = (i) => ({ id: 0, i, name: 'item', value: 1.5 });
const cs = [];
for (let k = 0; k < CONSUMERS; k++) {
  const { port1, port2 } = new MessageChannel();
  const word = new SharedArrayBuffer(4);
  const w = new Int32Array(word);
  const worker = new Worker(workerCode, {
    eval: true,
    workerData: { port: port2, word, loan: mode === 'loan' },
    transferList: [port2],
  });
  cs.push({ port: port1, w, worker, seq: 0, batch: null });
}
let items = [];
let head = 0;
// Takes back what a consumer's loan has not claimed: to the front, in order.
function revoke(c) {
  if (!c.batch) return;
  const old = Atomics.exchange(c.w, 0, c.seq << SEQ_SHIFT);
  const left = old >>> SEQ_SHIFT === c.seq ? old & AVAIL : 0;
  if (left > 0) {
    const back = c.batch.slice(c.batch.length - left);
    items = back.concat(items.slice(head));
    head = 0;
  }
  c.batch = null;
}
function serve(c) {
  for (const o of cs) if (o !== c) revoke(o);
  revoke(c);
  if (head >= items.length) {
    c.port.postMessage({ item: null });
    return;
  }
  const first = items[head++];
  const n = mode === 'loan' ? Math.min(LOAN, items.length - head) : 0;
  if (n > 0) {
    c.batch = items.slice(head, head + n);
    head += n;
    c.seq = (c.seq + 1) & 0x7ff;
    Atomics.store(c.w, 0, (c.seq << SEQ_SHIFT) | n);
    c.port.postMessage({ item: first, loan: true, seq: c.seq, text: JSON.stringify(c.batch) });
  } else c.port.postMessage({ item: first });
}
for (const c of cs) c.port.on('message', (m) => (typeof m === 'number' ? serve(c) : c.done(m)));
for (let r = 0; r < rounds; r++) {
  items = Array.from({ length: N }, (_, i) => item(i));
  head = 0;
  const answers = cs.map((c) => new Promise((resolve) => (c.done = resolve)));
  const h0 = threadCpuNs();
  const t0 = performance.now();
  for (const c of cs) c.port.postMessage('go');
  const a = await Promise.all(answers);
  const ms = performance.now() - t0;
  const hub = (threadCpuNs() - h0) / 1e3 / N;
  const taken = a.reduce((s, x) => s + x.taken, 0);
  const ccpu = a.reduce((s, x) => s + x.cpu, 0) / 1e3 / N;
  console.log(
    `${mode}: ${(((N / ms) * 1000) / 1000).toFixed(1)}k items/s, taken ${taken}/${N} (${a.map((x) => x.taken)}), CPU per item: hub ${hub.toFixed(2)} us, consumers ${ccpu.toFixed(2)} us`,
  );
}
for (const c of cs) await c.worker.terminate();
