// Issue 18 experiment (by hand): the parts of a 64 KiB message's cost, in one thread, CPU µs and
// minor page faults per message: a ByteChannel write + allocating read, a MessagePort post + receive
// (structured clone both ways), a fresh array (zero-filled or not) plus a copy out of shared memory,
// `slice` of shared memory, and the copy alone into a reused array.
// Usage: node experiments/ring-copy-floor.mjs [samples]
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { ByteChannel } from '@multiproc/shared';
import { threadCpuNs } from './thread-cpu.mjs';

const SIZE = 65536,
  N = 4096,
  R = Number(process.argv[2] ?? 5);
const buf = new Uint8Array(SIZE);
const ch = new ByteChannel({ capacity: 1 << 20 });
const { port1, port2 } = new MessageChannel();
const sab = new Uint8Array(new SharedArrayBuffer(1 << 20));
const keep = [];
const hold = (o) => {
  keep.push(o);
  if (keep.length > 64) keep.length = 0;
};
const variants = {
  ring: () => {
    ch.tryWrite(buf);
    hold(ch.readSync());
  },
  port: () => {
    port1.postMessage(buf);
    hold(receiveMessageOnPort(port2).message);
  },
  zeroed: () => {
    const o = new Uint8Array(SIZE);
    o.set(sab.subarray(8, 8 + SIZE));
    hold(o);
  },
  unsafeSlow: () => {
    const o = new Uint8Array(Buffer.allocUnsafeSlow(SIZE).buffer, 0, SIZE);
    o.set(sab.subarray(8, 8 + SIZE));
    hold(o);
  },
  sliceSab: () => hold(sab.slice(8, 8 + SIZE)),
  copyOnly: () => {
    buf.set(sab.subarray(8, 8 + SIZE));
  },
};
const out = Object.fromEntries(Object.keys(variants).map((k) => [k, { us: [], pf: [] }]));
for (let r = 0; r < R; r++) {
  for (const [k, fn] of Object.entries(variants)) {
    const f0 = process.resourceUsage().minorPageFault;
    const c = threadCpuNs();
    for (let i = 0; i < N; i++) fn();
    out[k].us.push((threadCpuNs() - c) / N / 1e3);
    out[k].pf.push((process.resourceUsage().minorPageFault - f0) / N);
  }
}
for (const [k, v] of Object.entries(out))
  console.log(
    k.padEnd(11),
    'µs',
    v.us.map((x) => x.toFixed(2)).join(' '),
    '| faults/msg',
    v.pf.map((x) => x.toFixed(1)).join(' '),
  );
