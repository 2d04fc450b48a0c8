// Issue 13 experiment (by hand): 64 KiB length-prefixed frames parent -> child over a Unix socket,
// the sender writing one reused frame (no copy per message), the receiver reading through `onread`
// into one reused buffer. ALLOC=1: the receiver also allocates and fills a new 64 KiB array per
// message, as recvBytes() must. MODE=sync: the sender writes with fs.writeSync on the socket's fd
// while the kernel takes it, and hands the rest to socket.write on EAGAIN.
// Usage: node experiments/bytes-socket.mjs
import { fork } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { median, N, SIZE } from './common.mjs';

const FRAME = SIZE + 4;
if (process.argv[2] === 'child') {
  let total = 0;
  let pending = 0;
  const onread = (n, buf) => {
    if (process.env.ALLOC)
      for (pending += n; pending >= FRAME; pending -= FRAME)
        new Uint8Array(SIZE).set(buf.subarray(0, Math.min(n, SIZE)));
    total += n;
    if (total >= N * FRAME) {
      total -= N * FRAME;
      process.send('done');
    }
    return true;
  };
  const s = net.connect({
    path: process.argv[3],
    onread: { buffer: new Uint8Array(1 << 18), callback: onread },
  });
  process.on('message', () => {
    s.destroy();
    process.exit(0);
  });
} else {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bytes-sock-'));
  const where = path.join(dir, 's');
  const server = net.createServer();
  await new Promise((resolve) => server.listen(where, resolve));
  const child = fork(new URL(import.meta.url).pathname, ['child', where]);
  const s = await new Promise((resolve) => server.once('connection', resolve));
  const fd = s._handle.fd;
  const frame = Buffer.alloc(FRAME);
  frame.writeUInt32LE(SIZE, 0);
  let queued = 0;
  const send = (b) => {
    if (process.env.MODE === 'sync' && queued === 0) {
      let o = 0;
      try {
        while (o < b.length) o += fs.writeSync(fd, b, o, b.length - o);
        return;
      } catch (err) {
        if (err.code !== 'EAGAIN') throw err;
      }
      b = b.subarray(o);
    }
    queued += b.length;
    s.write(b, () => {
      queued -= b.length;
    });
  };
  const samples = [];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    for (let i = 0; i < N; i++) {
      send(frame);
      if (s.writableLength > 1 << 20) await new Promise((resolve) => s.once('drain', resolve));
    }
    await new Promise((resolve) => child.once('message', resolve));
    samples.push((N * SIZE) / 2 ** 30 / ((performance.now() - t0) / 1000));
  }
  child.send('bye');
  await new Promise((resolve) => child.once('exit', resolve));
  server.close();
  s.destroy();
  fs.rmSync(dir, { recursive: true });
  const how = `${process.env.MODE ?? 'socket.write'}${process.env.ALLOC ? ', receiver allocates' : ''}`;
  console.log(`Unix socket (${how}): ${median(samples)} GiB/s`);
}
