// Where a thread `Process` start+join goes against its floor (a bare worker importing the umbrella),
// by wall timestamps on one clock (a worker shares the process's time origin): the host's start,
// Node's 'online' and 'exit' events, the worker's marks (its task module's body and the target's
// call; more from marked copies of the built packages, which write `<name> <time>` lines to the
// descriptor in TL_FD as these fixtures do), `join()`. Prints min and median of each step.
// Usage: node experiments/start-timeline.mjs <mp|floor> [rounds=30]
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

const [mode = 'mp', roundsArg = '30'] = process.argv.slice(2);
const rounds = Number(roundsArg);
const file = join(tmpdir(), `start-timeline-${process.pid}.log`);
const fd = openSync(file, 'w');
process.env.TL_FD = String(fd);
const now = () => performance.timeOrigin + performance.now();
let marks = [];
const mark = (what) => marks.push([what, now()]);
const emit = Worker.prototype.emit;
Worker.prototype.emit = function (name, ...rest) {
  if (name === 'online' || name === 'exit') mark(`H:${name}`);
  return emit.call(this, name, ...rest);
};
const mp = await import('@multiproc/multiproc');
const { tasks } = await import(new URL('../fixtures/tl-tasks.mjs', import.meta.url).href);
const floorUrl = new URL('../fixtures/tl-floor.mjs', import.meta.url);

async function once() {
  mark('H:t0');
  if (mode === 'mp') {
    const p = new mp.Process({ target: tasks.noop, context: 'thread' });
    p.start();
    mark('H:started');
    await p.join();
    p.close();
  } else {
    const w = new Worker(floorUrl);
    mark('H:started');
    await new Promise((resolve) => w.once('exit', resolve));
  }
  mark('H:joined');
}

const rows = [];
for (let i = 0; i < rounds + 3; i++) {
  marks = [];
  const before = readFileSync(file, 'utf8').length;
  await once();
  for (const line of readFileSync(file, 'utf8').slice(before).split('\n')) {
    if (!line.startsWith('W:')) continue;
    const parts = line.split(' ');
    marks.push([parts.slice(0, -1).join(' ').slice(0, 60), Number(parts.at(-1))]);
  }
  if (i >= 3) rows.push(marks.sort((a, b) => a[1] - b[1]));
}
closeSync(fd);
rmSync(file);
const steps = new Map();
const add = (key, ms) => (steps.get(key) ?? steps.set(key, []).get(key)).push(ms);
for (const row of rows) {
  for (let j = 1; j < row.length; j++) add(`${row[j - 1][0]} -> ${row[j][0]}`, row[j][1] - row[j - 1][1]);
  add('TOTAL', row.at(-1)[1] - row[0][1]);
}
const q = (a, p) => [...a].sort((x, y) => x - y)[Math.floor(a.length * p)];
for (const [k, v] of steps) {
  console.log(`${k.padEnd(60)} n=${v.length} min ${q(v, 0).toFixed(2)} med ${q(v, 0.5).toFixed(2)}`);
}
