// The host's steps before a thread pool's workers exist, against tinypool's: from `new Pool()` (or
// `new Tinypool()`) to the first `new Worker()`, inside it, between the first's return and the
// second's call, inside the second (Node's `Worker` wrapped; multiproc reads it at each start).
// Wall ms, min / median over 30 pools of 2 + first task after 3; both threads start only after these.
// Usage: node experiments/pool-host-steps.mjs <mp|tp>
const threads = process.getBuiltinModule('node:worker_threads');
const NodeWorker = threads.Worker;
let marks = [];
threads.Worker = class extends NodeWorker {
  constructor(...args) {
    marks.push(performance.now());
    super(...args);
    marks.push(performance.now());
  }
};
const mode = process.argv[2] ?? 'mp';
const fixture = (name) => new URL(`../fixtures/${name}`, import.meta.url);
const mp = await import('@multiproc/multiproc');
const { tasks } = await import(fixture('thread-cpu-tasks.mjs').href);
// tinypool reads `Worker` from its own import of node:worker_threads, made after the wrapper.
const Tinypool = (await import('tinypool')).default;
const rows = [];
for (let i = 0; i < 33; i++) {
  marks = [];
  const t0 = performance.now();
  let end;
  if (mode === 'mp') {
    const pool = new mp.Pool({ processes: 2, context: 'thread' });
    await pool.apply(tasks.threadCpuMs, []);
    end = () => pool.terminate();
  } else {
    const pool = new Tinypool({
      filename: fixture('thread-cpu-tinypool.mjs').href,
      minThreads: 2,
      maxThreads: 2,
    });
    await pool.run(0);
    end = () => pool.destroy();
  }
  await end();
  const [in1, out1, in2, out2] = marks;
  if (i >= 3) rows.push({ toFirst: in1 - t0, first: out1 - in1, between: in2 - out1, second: out2 - in2 });
}
const stat = (key) => {
  const values = rows.map((r) => r[key]).sort((a, b) => a - b);
  return `${key} ${values[0].toFixed(3)} / ${values[values.length >> 1].toFixed(3)}`;
};
console.log(mode, Object.keys(rows[0]).map(stat).join(' | '), '(min / median, ms)');
