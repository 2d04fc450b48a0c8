// Issue 13 experiment helper (forked by queue-race.mjs): samples, every 0.5 ms, the state (running
// or runnable: R; sleeping: S) and last CPU of two threads of the parent, from /proc, and answers
// on request how often both were runnable on the same CPU, on different CPUs, or one slept.
import { readFileSync } from 'node:fs';

let tids = null;
let counts = { same: 0, apart: 0, oneIdle: 0, bothIdle: 0 };
function stat(tid) {
  const s = readFileSync(`/proc/${process.ppid}/task/${tid}/stat`, 'latin1');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return { state: f[0], cpu: Number(f[36]) };
}
setInterval(() => {
  if (tids === null) return;
  try {
    const [a, b] = tids.map(stat);
    const ra = a.state === 'R';
    const rb = b.state === 'R';
    if (ra && rb) counts[a.cpu === b.cpu ? 'same' : 'apart']++;
    else if (ra || rb) counts.oneIdle++;
    else counts.bothIdle++;
  } catch {}
}, 0.5);
process.on('message', (m) => {
  if (m === 'exit') process.exit(0);
  if (Array.isArray(m)) tids = m;
  else {
    process.send(counts);
    counts = { same: 0, apart: 0, oneIdle: 0, bothIdle: 0 };
  }
});
process.send('ready');
