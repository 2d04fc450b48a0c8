// Issue 18 experiment (by hand): the `shared/ring-64k` bench case (a 1 MiB ByteChannel, 64 KiB
// messages from the main thread to a Process thread) with, per message: wall µs, each thread's CPU
// µs, the reader's run-queue wait (runnable, not running: other load), time slices on each side,
// the writer's waits for room, and the process's minor page faults while the reader read. Page
// faults are what made the allocating reader slow (see ring.ts, HOLD_UP_TO).
// Usage: node experiments/ring-wake.mjs <alloc|into> [messages per sample] [samples]
import * as mp from '@multiproc/multiproc';
import { ByteChannel } from '@multiproc/shared';
import { tasks } from './ring-wake-tasks.mjs';
import { threadStat } from './thread-cpu.mjs';

const reuse = process.argv[2] === 'into';
const n = Number(process.argv[3] ?? 4096);
const runs = Number(process.argv[4] ?? 5);
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
  let waits = 0;
  await data.write(head);
  for (let i = 0; i < n; i++)
    if (!data.tryWrite(buf)) {
      waits++;
      await data.write(buf);
    }
  const [cpu, wait, slices, faults] = new Float64Array((await answers.read()).slice().buffer);
  const ms = performance.now() - t0;
  const s = threadStat();
  if (r > 0)
    rows.push({
      wall: (ms * 1e3) / n,
      wCpu: (s.cpu - s0.cpu) / n / 1e3,
      rCpu: cpu / n / 1e3,
      rWait: wait / n / 1e3,
      wSlices: (s.slices - s0.slices) / n,
      rSlices: slices / n,
      wWaits: waits / n,
      faults: faults / n,
    });
}
data.close();
await sink.join();
const med = (k) => rows.map((x) => x[k]).sort((a, b) => a - b)[rows.length >> 1];
const gib = SIZE / 2 ** 30 / (med('wall') / 1e6);
console.log(
  `${reuse ? 'into' : 'alloc'}, per message (median of ${runs}): wall ${med('wall').toFixed(1)} µs (${gib.toFixed(2)} GiB/s)` +
    ` | CPU writer ${med('wCpu').toFixed(2)} reader ${med('rCpu').toFixed(2)} µs | reader runq ${med('rWait').toFixed(2)} µs` +
    ` | slices writer ${med('wSlices').toFixed(3)} reader ${med('rSlices').toFixed(3)}` +
    ` | writer waits ${med('wWaits').toFixed(3)} | faults ${med('faults').toFixed(2)}`,
);
