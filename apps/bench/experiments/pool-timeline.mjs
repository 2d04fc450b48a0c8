// Where a pool of 2 + first task goes, by wall timestamps: the host's start and answer, and the
// marks of the worker that ran the task (`<pid> <name> <time>` lines appended to the file in
// TL_FILE: its task module's body and call, and more from a marked copy of the built pool entry,
// e.g. C:entry, C:ready (its answer to tinypool's start message), C:task, C:import).
// Usage: TL_FILE=<a scratch file> node experiments/pool-timeline.mjs <thread|process> [rounds=20]
import { readFileSync, writeFileSync } from 'node:fs';

const [context = 'process', roundsArg = '20'] = process.argv.slice(2);
const file = process.env.TL_FILE;
const mp = await import('@multiproc/multiproc');
const { tasks } = await import(new URL('../fixtures/tlp-tasks.mjs', import.meta.url).href);
const steps = new Map();
const now = () => performance.timeOrigin + performance.now();
for (let i = 0; i < Number(roundsArg) + 2; i++) {
  writeFileSync(file, '');
  const t0 = now();
  const pool = new mp.Pool({ processes: 2, context });
  await pool.apply(tasks.noop, []);
  const t1 = now();
  await pool.terminate();
  const lines = readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(' '));
  const caller = lines.find((l) => l[1] === 'C:call')?.[0];
  const marks = [
    ['H:t0', t0],
    ...lines.filter((l) => l[0] === caller).map((l) => [l[1], Number(l[2])]),
    ['H:answer', t1],
  ];
  if (i < 2) continue;
  for (let j = 1; j < marks.length; j++) {
    const k = `${marks[j - 1][0]} -> ${marks[j][0]}`;
    (steps.get(k) ?? steps.set(k, []).get(k)).push(marks[j][1] - marks[j - 1][1]);
  }
  (steps.get('TOTAL') ?? steps.set('TOTAL', []).get('TOTAL')).push(t1 - t0);
  const at = (name) => marks.find((m) => m[0] === name)?.[1];
  if (at('C:ready') && at('C:call'))
    (steps.get('C:ready .. C:call') ?? steps.set('C:ready .. C:call', []).get('C:ready .. C:call')).push(
      at('C:call') - at('C:ready'),
    );
  if (at('C:entry'))
    (
      steps.get('C:entry .. H:answer') ?? steps.set('C:entry .. H:answer', []).get('C:entry .. H:answer')
    ).push(t1 - at('C:entry'));
}
const q = (a, p) => [...a].sort((x, y) => x - y)[Math.floor(a.length * p)];
for (const [k, v] of steps)
  console.log(k.padEnd(24), `n=${v.length} min ${q(v, 0).toFixed(2)} med ${q(v, 0.5).toFixed(2)}`);
