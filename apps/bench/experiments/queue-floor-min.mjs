// Issue 13 (session 17): queue-cpu.mjs's floor (a home Queue and a thread copy of it in one thread,
// over a real MessageChannel: both sides' CPU per item without any cross-thread wait), min and
// median of the samples, and the same for a Pipe's ends.
// Usage: node experiments/queue-floor-min.mjs <queue|pipe> [items per sample] [samples]
import * as mp from '@multiproc/multiproc';
import { decodeValue, encodeValue } from '@multiproc/shared';
import { threadCpuNs } from './thread-cpu.mjs';

const mode = process.argv[2] ?? 'queue';
const n = Number(process.argv[3] ?? 200_000);
const runs = Number(process.argv[4] ?? 9);
const item = (i) => ({ id: i, name: 'item', value: 1.5 });
const us = [];
let put;
let get;
if (mode === 'queue') {
  const q = new mp.Queue();
  const copy = decodeValue(encodeValue(q, 'thread').value, 'thread');
  put = (v) => q.put(v);
  get = () => copy.get();
} else {
  const [a, b] = mp.Pipe();
  const copy = decodeValue(encodeValue(b, 'thread').value, 'thread');
  put = (v) => a.send(v);
  get = () => copy.recv();
}
for (let r = 0; r <= runs; r++) {
  const c0 = threadCpuNs();
  const consumer = (async () => {
    for (let i = 0; i < n; i++) await get();
  })();
  for (let i = 0; i < n; i++) await put(item(i));
  await consumer;
  if (r > 0) us.push((threadCpuNs() - c0) / n / 1000);
}
const s = [...us].sort((x, y) => x - y);
console.log(
  `${mode} floor: put + get in one thread, µs CPU/item min ${s[0].toFixed(3)} median ${s[s.length >> 1].toFixed(3)}`,
);
process.exit(0);
