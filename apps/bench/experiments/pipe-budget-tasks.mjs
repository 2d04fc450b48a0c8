// Tasks of pipe-budget.mjs: a pipe reader busy before it reads, and a queue consumer; each counts
// what it took in shared memory (a thread) or a file (a process).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineTasks } from '@multiproc/multiproc';

const SLEEP = new Int32Array(new SharedArrayBuffer(4));
const count = (where, i) =>
  typeof where !== 'string'
    ? Atomics.store(where, 0, i)
    : i % 16 === 0 && writeFileSync(join(where, 'taken'), String(i));

export const tasks = defineTasks(import.meta.url, {
  // Says 'ready' unless busyMs < 0, is busy |busyMs| without yielding, then takes n messages.
  lateReader: async (conn, where, busyMs, n) => {
    if (busyMs >= 0) conn.send('ready');
    Atomics.wait(SLEEP, 0, 0, Math.abs(busyMs));
    let bytes = 0;
    for (let i = 1; i <= n; i++) {
      bytes += (await conn.recvBytes()).byteLength;
      count(where, i);
    }
    conn.send(bytes);
  },
  // Takes numbers from q until null; puts [sum, count, in order] on out.
  consumer: async (q, out, where) => {
    await out.put('ready');
    let sum = 0;
    let n = 0;
    let ordered = true;
    for (let v = await q.get(); v !== null; v = await q.get()) {
      if (v !== n) ordered = false;
      sum += v;
      count(where, ++n);
    }
    await out.put([sum, n, ordered]);
  },
});
