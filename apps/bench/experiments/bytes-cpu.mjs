// Issue 13 (bytes3): the bench's `ipc --only bytes` process row, with each side's CPU time and page
// faults per 64 KiB message and the sender's peak RSS. Run in a `main` worktree and a branch
// alternately, with `python3 experiments/bytes-cpu.py 5 4096` between them.
//   node experiments/bytes-cpu.mjs [samples=5] [messages=4096]
import { Pipe, Process } from '@multiproc/multiproc';
import { tasks } from './bytes-cpu-tasks.mjs';

const runs = Number(process.argv[2] ?? 5);
const n = Number(process.argv[3] ?? 4096);
const [a, b] = Pipe();
const p = new Process({ target: tasks.sink, args: [b], context: 'process' });
p.start();
await a.recv();
const buf = new Uint8Array(64 * 1024);
const rows = [];
for (let r = 0; r < runs; r++) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  a.send(n);
  for (let i = 0; i < n; i++) a.sendBytes(buf);
  const child = await a.recv();
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  if (child.bytes !== n * buf.length) throw new Error(`received ${child.bytes} bytes`);
  rows.push({
    gibs: (n * buf.length) / (ms / 1000) / 2 ** 30,
    senderCpuUs: (c.user + c.system) / n,
    readerCpuUs: child.cpu / n,
    readerSysUs: child.sys / n,
    readerFaults: child.faults / n,
  });
}
a.send(null);
await p.join();
const median = (k) => rows.map((x) => x[k]).sort((x, y) => x - y)[rows.length >> 1];
const out = { senderMaxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) };
for (const k of Object.keys(rows[0])) out[k] = +median(k).toFixed(k === 'gibs' ? 3 : 1);
console.log(JSON.stringify(out));
