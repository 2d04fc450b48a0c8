// Issue 13 experiment (by hand, not part of the suites): 64 KiB messages parent -> child through a
// named FIFO with blocking fs.writeSync / fs.readSync on the main threads. A FIFO opened with
// fs.openSync is blocking (Node sets O_NONBLOCK only on the fds it polls). Node's ceiling without
// the event loop; not usable as is, since a blocking read would stop the receiver's event loop.
// Usage: node experiments/bytes-fifo.mjs   (ALLOC=1: the reader allocates a buffer per read)
import { execFileSync, fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { median, N, SIZE } from './common.mjs';

if (process.argv[2] === 'child') {
  const fd = fs.openSync(process.argv[3], 'r');
  const buf = Buffer.allocUnsafe(SIZE);
  let total = 0;
  for (;;) {
    const n = fs.readSync(fd, process.env.ALLOC ? Buffer.allocUnsafe(SIZE) : buf, 0, SIZE, null);
    if (n === 0) break;
    total += n;
    if (total % (N * SIZE) === 0) process.send('done');
  }
  process.exit(0);
}
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bytes-fifo-'));
const fifo = path.join(dir, 'f');
execFileSync('mkfifo', [fifo]);
const child = fork(new URL(import.meta.url).pathname, ['child', fifo]);
const fd = fs.openSync(fifo, 'w');
const buf = Buffer.alloc(SIZE);
const samples = [];
for (let r = 0; r < 5; r++) {
  const t0 = performance.now();
  for (let i = 0; i < N; i++) for (let o = 0; o < SIZE; ) o += fs.writeSync(fd, buf, o, SIZE - o);
  await new Promise((resolve) => child.once('message', resolve));
  samples.push((N * SIZE) / 2 ** 30 / ((performance.now() - t0) / 1000));
}
fs.closeSync(fd);
fs.rmSync(dir, { recursive: true });
console.log(`blocking FIFO${process.env.ALLOC ? ', reader allocates' : ''}: ${median(samples)} GiB/s`);
