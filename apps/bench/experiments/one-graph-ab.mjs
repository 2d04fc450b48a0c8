// A thread `Process` whose worker loads its entry and the task module as one module graph, against
// the usual two (the entry's, then the task module's by `import()`): the host's `Worker` is wrapped
// so that, in the `one` rounds, a worker starts from a `data:` module that statically imports the
// process entry and then the task module (the entry sets the worker's identity as its body runs,
// before the task module's body; its own import() then finds the module loaded). Alternated rounds
// of fresh starts: wall ms from start() to join(), and the worker thread's CPU until its target ran.
// Usage: node experiments/one-graph-ab.mjs [rounds=30]
import threads from 'node:worker_threads';

const rounds = Number(process.argv[2] ?? 30);
const taskModule = new URL('../fixtures/cpu-mark-tasks.mjs', import.meta.url).href;
let oneGraph = false;
const Base = threads.Worker;
threads.Worker = class extends Base {
  constructor(url, options) {
    const entry = String(url);
    if (oneGraph && entry.endsWith('/process-entry.js')) {
      const source = `import ${JSON.stringify(entry)};\nimport ${JSON.stringify(taskModule)};`;
      super(new URL(`data:text/javascript,${encodeURIComponent(source)}`), options);
    } else super(url, options);
  }
};
const mp = await import('@multiproc/multiproc');
const { tasks } = await import(taskModule);
const { cpuBuffer, readCpu } = await import(taskModule);
const res = { two: { wall: [], cpu: [] }, one: { wall: [], cpu: [] } };
for (let r = 0; r < rounds + 3; r++) {
  for (const variant of ['two', 'one']) {
    oneGraph = variant === 'one';
    const t0 = performance.now();
    const p = new mp.Process({ target: tasks.mark, args: [cpuBuffer], context: 'thread' });
    p.start();
    await p.join();
    const wall = performance.now() - t0;
    if (p.exitCode !== 0) throw new Error(`exit code ${p.exitCode}`);
    p.close();
    if (r >= 3) {
      res[variant].wall.push(wall);
      res[variant].cpu.push(readCpu());
    }
  }
}
const q = (a, p) => [...a].sort((x, y) => x - y)[Math.floor(a.length * p)];
for (const [k, { wall, cpu }] of Object.entries(res)) {
  console.log(
    `${k} graph(s): wall min ${q(wall, 0).toFixed(2)} med ${q(wall, 0.5).toFixed(2)}; worker CPU to the call min ${q(cpu, 0).toFixed(2)} med ${q(cpu, 0.5).toFixed(2)}`,
  );
}
