// Issue 13 experiment (by hand): the design the issue suggests. On each side a helper worker
// thread owns a FIFO with blocking I/O, and hands 64 KiB messages to or from the main thread
// through a ByteChannel (SharedArrayBuffer ring). Usage: node experiments/bytes-helper-threads.mjs
// (RECV=into: the receiving main thread reads into one buffer instead of a new one per message)
import { execFileSync, fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isMainThread, Worker, workerData } from 'node:worker_threads';
import { ByteChannel, decodeValue, encodeValue } from '@multiproc/shared';
import { median, N, SIZE } from './common.mjs';

const helper = (role, fifo, ch) =>
  new Worker(new URL(import.meta.url), {
    workerData: { role, fifo, ch: encodeValue(ch, 'thread').value },
  });

if (!isMainThread) {
  const ch = decodeValue(workerData.ch, 'thread');
  const buf = new Uint8Array(SIZE);
  if (workerData.role === 'writer') {
    const fd = fs.openSync(workerData.fifo, 'w');
    for (let m = ch.readSync({ into: buf }); m !== null; m = ch.readSync({ into: buf }))
      for (let o = 0; o < m.length; ) o += fs.writeSync(fd, m, o, m.length - o);
    fs.closeSync(fd);
  } else {
    const fd = fs.openSync(workerData.fifo, 'r');
    for (let o = 0; ; o = 0) {
      while (o < SIZE) {
        const n = fs.readSync(fd, buf, o, SIZE - o, null);
        if (n === 0) break;
        o += n;
      }
      if (o < SIZE) break;
      ch.writeSync(buf);
    }
    ch.close();
  }
} else if (process.argv[2] === 'child') {
  const ch = new ByteChannel({ capacity: 1 << 20 });
  helper('reader', process.argv[3], ch);
  const into = process.env.RECV === 'into' ? { into: new Uint8Array(SIZE) } : undefined;
  for (let got = 1, m = await ch.read(into); m !== null; m = await ch.read(into), got++)
    if (got % N === 0) process.send('done');
  process.exit(0);
} else {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bytes-helper-'));
  const fifo = path.join(dir, 'f');
  execFileSync('mkfifo', [fifo]);
  const child = fork(new URL(import.meta.url).pathname, ['child', fifo]);
  const ch = new ByteChannel({ capacity: 1 << 20 });
  helper('writer', fifo, ch);
  const buf = new Uint8Array(SIZE);
  const samples = [];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    for (let i = 0; i < N; i++) if (!ch.tryWrite(buf)) await ch.write(buf);
    await new Promise((resolve) => child.once('message', resolve));
    samples.push((N * SIZE) / 2 ** 30 / ((performance.now() - t0) / 1000));
  }
  ch.close();
  await new Promise((resolve) => child.once('exit', resolve));
  fs.rmSync(dir, { recursive: true });
  console.log(
    `helper threads + FIFO + ring, receiver ${process.env.RECV ?? 'allocates'}: ${median(samples)} GiB/s`,
  );
}
