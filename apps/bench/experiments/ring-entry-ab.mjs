// Issue 18 experiment (by hand): the `shared/ring-64k` allocating case on a bare worker thread, with
// `@multiproc/shared` loaded through its Node entry (the lazy index) or its browser bundle, beside a
// raw MessagePort posting the same Uint8Array, sampled in turns in one process; per message: wall
// GiB/s, writer and reader CPU µs, and the process's minor page faults.
// Usage: node experiments/ring-entry-ab.mjs <lazy|browser> [messages per sample] [samples] [alloc|into]
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { isMainThread, MessageChannel, Worker, workerData } from 'node:worker_threads';
import { threadStat } from './thread-cpu.mjs';

const SIZE = 65536;
const entryOf = (which) =>
  which === 'browser'
    ? pathToFileURL(
        createRequire(import.meta.url)
          .resolve('@multiproc/shared/package.json')
          .replace(/package\.json$/, 'dist/browser.js'),
      ).href
    : '@multiproc/shared';

if (isMainThread) {
  const which = process.argv[2] ?? 'lazy';
  const n = Number(process.argv[3] ?? 4096);
  const runs = Number(process.argv[4] ?? 5);
  const into = process.argv[5] === 'into';
  const shared = await import(entryOf(which));
  const data = new shared.ByteChannel({ capacity: 1 << 20 });
  const answers = new shared.ByteChannel({ capacity: 64 });
  const { port1, port2 } = new MessageChannel();
  const enc = shared.encodeValue({ data, answers }, 'thread');
  const w = new Worker(new URL(import.meta.url), {
    workerData: { which, enc: enc.value, into, port: port2 },
    transferList: [port2, ...enc.transfer],
  });
  await answers.read();
  const buf = new Uint8Array(SIZE);
  const head = new Uint8Array(new Int32Array([n]).buffer);
  const ring = [];
  const port = [];
  for (let r = 0; r <= runs; r++) {
    let f0 = process.resourceUsage().minorPageFault;
    let s0 = threadStat();
    let t0 = performance.now();
    await data.write(head);
    for (let i = 0; i < n; i++) if (!data.tryWrite(buf)) await data.write(buf);
    let [cpu] = new Float64Array((await answers.read()).slice().buffer);
    let ms = performance.now() - t0;
    let s = threadStat();
    if (r > 0)
      ring.push([
        (n * SIZE) / 2 ** 30 / (ms / 1000),
        (s.cpu - s0.cpu) / n / 1e3,
        cpu / n / 1e3,
        (process.resourceUsage().minorPageFault - f0) / n,
      ]);
    f0 = process.resourceUsage().minorPageFault;
    s0 = threadStat();
    t0 = performance.now();
    const done = new Promise((res) => port1.once('message', res));
    port1.postMessage(n);
    for (let i = 0; i < n; i++) port1.postMessage(buf);
    cpu = await done;
    ms = performance.now() - t0;
    s = threadStat();
    if (r > 0)
      port.push([
        (n * SIZE) / 2 ** 30 / (ms / 1000),
        (s.cpu - s0.cpu) / n / 1e3,
        cpu / n / 1e3,
        (process.resourceUsage().minorPageFault - f0) / n,
      ]);
  }
  data.close();
  port1.close();
  await new Promise((res) => w.once('exit', res));
  const med = (rows, i) => rows.map((x) => x[i]).sort((a, b) => a - b)[rows.length >> 1];
  const show = (rows) =>
    `GiB/s ${med(rows, 0).toFixed(2)} writer ${med(rows, 1).toFixed(2)} reader ${med(rows, 2).toFixed(2)} µs/msg, faults ${med(rows, 3).toFixed(2)}/msg`;
  console.log(
    `${which}${into ? ' into' : ''}: ring ${show(ring)} | port ${show(port)} | ratio ${(med(ring, 0) / med(port, 0)).toFixed(2)}`,
  );
} else {
  const shared = await import(entryOf(workerData.which));
  const { data, answers } = shared.decodeValue(workerData.enc, 'thread');
  const opts = workerData.into ? { into: new Uint8Array(data.capacity) } : undefined;
  const port = workerData.port;
  let want = -1;
  let got = 0;
  let c0 = 0;
  port.on('message', (m) => {
    if (want < 0) {
      want = m;
      got = 0;
      c0 = threadStat().cpu;
    } else if (++got === want) {
      want = -1;
      port.postMessage(threadStat().cpu - c0);
    }
  });
  answers.writeSync(new Uint8Array(8));
  const loop = () => {
    const head = data.readSync(0);
    if (head === null) {
      port.close();
      return;
    }
    const n = new DataView(head.buffer, head.byteOffset, 4).getInt32(0, true);
    const s0 = threadStat();
    for (let i = 0; i < n; i++) data.readSync(opts);
    const s = threadStat();
    answers.writeSync(new Uint8Array(new Float64Array([s.cpu - s0.cpu]).buffer));
    setImmediate(loop2);
  };
  // Between ring samples the port sample runs: poll the ring without blocking the port's events.
  const loop2 = () => {
    try {
      loop();
    } catch (e) {
      if (e?.code === 'MP_TIMEOUT') setTimeout(loop2, 1);
      else throw e;
    }
  };
  loop2();
}
