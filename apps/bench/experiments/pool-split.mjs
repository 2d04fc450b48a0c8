// Where a thread pool of 2 + first task spends its CPU, against its floor (2 bare workers importing
// the umbrella, the first ready answers) and tinypool's pool of 2: per pool, the CPU time of the
// worker that answered, up to its answer (its start, imports and handshake), and the host thread's
// CPU up to the answer and with the pool's end. /proc/thread-self/schedstat (Linux), so read medians
// over many pools, not one. Prints min and median of each, in ms.
// Usage: node experiments/pool-split.mjs <mp|floor|tp> [pools=12]
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

const [mode = 'mp', poolsArg = '12'] = process.argv.slice(2);
const fixture = (name) => new URL(`../fixtures/${name}`, import.meta.url);
const hostCpu = () => Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
const mp = mode === 'mp' ? await import('@multiproc/multiproc') : undefined;
const { tasks } = mode === 'mp' ? await import(fixture('thread-cpu-tasks.mjs').href) : {};
const Tinypool = mode === 'tp' ? (await import('tinypool')).default : undefined;

/** One pool of 2 + first task: the answering worker's CPU, the host's CPU at the answer. */
async function once(h0) {
  let worker;
  let end;
  if (mode === 'mp') {
    const pool = new mp.Pool({ processes: 2, context: 'thread' });
    worker = await pool.apply(tasks.threadCpuMs, []);
    end = () => pool.terminate();
  } else if (mode === 'tp') {
    const filename = fixture('thread-cpu-tinypool.mjs').href;
    const pool = new Tinypool({ filename, minThreads: 2, maxThreads: 2 });
    worker = await pool.run(0);
    end = () => pool.destroy();
  } else {
    const workers = [0, 1].map(() => new Worker(fixture('thread-cpu-floor.mjs')));
    let asked = false;
    worker = await new Promise((resolve) => {
      for (const w of workers)
        w.on('message', (m) => {
          if (m !== 'ready') resolve(m);
          else if (!asked) {
            asked = true;
            w.postMessage(3);
          }
        });
    });
    end = () => Promise.all(workers.map((w) => w.terminate()));
  }
  const toAnswer = hostCpu() - h0;
  await end();
  return { worker, toAnswer };
}

await once(hostCpu());
await once(hostCpu());
const rows = [];
for (let i = 0; i < Number(poolsArg); i++) {
  const h0 = hostCpu();
  const t0 = performance.now();
  const { worker, toAnswer } = await once(h0);
  rows.push({ worker, hostToAnswer: toAnswer, hostWithEnd: hostCpu() - h0, wall: performance.now() - t0 });
}
const stat = (key) => {
  const values = rows.map((r) => r[key]).sort((a, b) => a - b);
  return `${key} ${values[0].toFixed(2)} / ${values[values.length >> 1].toFixed(2)}`;
};
console.log(mode, Object.keys(rows[0]).map(stat).join(' | '), '(min / median, ms)');
