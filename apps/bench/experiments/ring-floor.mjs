// Issue 18 experiment (by hand): a ByteChannel's own CPU per 64 KiB message, writer and reader in
// one thread (no waiting, no waking): tryWrite then readSync, allocating or `into` one buffer,
// while the last 64 messages read stay alive (as a consumer keeps what it reads for a while).
// Usage: node experiments/ring-floor.mjs [messages per sample] [samples]
import { ByteChannel } from '@multiproc/shared';
import { threadCpuNs } from './thread-cpu.mjs';

const SIZE = 65536;
const n = Number(process.argv[2] ?? 8192);
const runs = Number(process.argv[3] ?? 7);
const buf = new Uint8Array(SIZE).fill(1);
const into = new Uint8Array(SIZE);
const ch = new ByteChannel({ capacity: 1 << 20 });
const keep = [];
const out = { alloc: [], into: [] };
for (let r = 0; r <= runs; r++) {
  let c = threadCpuNs();
  for (let i = 0; i < n; i++) {
    ch.tryWrite(buf);
    keep.push(ch.readSync());
    if (keep.length > 64) keep.length = 0;
  }
  if (r > 0) out.alloc.push((threadCpuNs() - c) / n / 1e3);
  c = threadCpuNs();
  for (let i = 0; i < n; i++) {
    ch.tryWrite(buf);
    ch.readSync({ into });
  }
  if (r > 0) out.into.push((threadCpuNs() - c) / n / 1e3);
}
const med = (a) =>
  a
    .slice()
    .sort((x, y) => x - y)
    [a.length >> 1].toFixed(2);
console.log(
  `alloc ${med(out.alloc)} [${out.alloc.map((x) => x.toFixed(2)).join(' ')}] | into ${med(out.into)} [${out.into.map((x) => x.toFixed(2)).join(' ')}] µs CPU/msg`,
);
