// Issue 18 experiment (by hand): the `shared/ring-64k` bench case (a ByteChannel of 1 MiB, 64 KiB
// messages from the main thread to a Process thread), with each thread's CPU and run-queue wait
// per message, which a loaded machine inflates far less than wall time.
// Usage: node experiments/ring-cpu.mjs <alloc|into> [messages per sample] [samples]
import * as mp from '@multiproc/multiproc';
import { ByteChannel } from '@multiproc/shared';
import { tasks } from './ring-cpu-tasks.mjs';
import { threadStat } from './thread-cpu.mjs';

const reuse = process.argv[2] === 'into';
const n = Number(process.argv[3] ?? 4096);
const runs = Number(process.argv[4] ?? 7);
const SIZE = 65536;
const data = new ByteChannel({ capacity: 1 << 20 });
const answers = new ByteChannel({ capacity: 64 });
const sink = new mp.Process({ target: tasks.channelSink, args: [data, answers, reuse], context: 'thread' });
sink.start();
await answers.read();
const buf = new Uint8Array(SIZE);
const head = new Uint8Array(new Int32Array([n]).buffer);
const rows = [];
for (let r = 0; r <= runs; r++) {
  const s0 = threadStat();
  const t0 = performance.now();
  await data.write(head);
  for (let i = 0; i < n; i++) if (!data.tryWrite(buf)) await data.write(buf);
  const [cpu, wait] = new Float64Array((await answers.read()).slice().buffer);
  const ms = performance.now() - t0;
  const s = threadStat();
  if (r > 0)
    rows.push([
      (n * SIZE) / 2 ** 30 / (ms / 1000),
      (s.cpu - s0.cpu) / n / 1e3,
      cpu / n / 1e3,
      wait / n / 1e3,
    ]);
}
data.close();
await sink.join();
const col = (i, d) => rows.map((x) => x[i].toFixed(d)).join(' ');
console.log(
  `${reuse ? 'into' : 'alloc'}: GiB/s ${col(0, 2)} | writer µs/msg ${col(1, 2)} | reader µs/msg ${col(2, 2)} | reader wait ${col(3, 2)}`,
);
