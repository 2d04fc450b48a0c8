// Issue 19 experiment (by hand): this checkout's manager against another checkout's (built, e.g.
// `main` in a second worktree), in one program, so both see the same load. Each side has its own
// manager (served by this program) and a pool child; rounds alternate the order of the sides.
// Per kind: the wall rate, CPU µs per pair in the child (`process.cpuUsage()` there) and in the
// manager (this program's `process.cpuUsage()`, which only serves meanwhile), and the manager's
// read and write syscalls and its main thread's voluntary and involuntary context switches per
// pair (`/proc`, Linux only), medians over the rounds.
// Usage: node experiments/manager-ab.mjs <other checkout> [pairs per sample] [rounds] [kinds]
// kinds: comma-separated from dict, dictRoundTrip, lock, lockRoundTrip (default dict,lock).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [other, nArg, roundsArg, kindsArg] = process.argv.slice(2);
if (!other) throw new Error('usage: node experiments/manager-ab.mjs <other checkout> [n] [rounds] [kinds]');
const n = Number(nArg ?? 2000);
const rounds = Number(roundsArg ?? 11);
const kinds = (kindsArg ?? 'dict,lock').split(',');
const here = new URL('../../../', import.meta.url);
const roots = { other: pathToFileURL(`${resolve(other)}/`), this: here };

/** read and write syscalls, voluntary and involuntary context switches of `pid`'s main thread. */
function counters(pid) {
  const io = readFileSync(`/proc/${pid}/io`, 'utf8');
  const st = readFileSync(`/proc/${pid}/task/${pid}/status`, 'utf8');
  const get = (text, key) => Number(new RegExp(`${key}:\\s*(\\d+)`).exec(text)[1]);
  return [
    get(io, 'syscr'),
    get(io, 'syscw'),
    get(st, 'voluntary_ctxt_switches'),
    get(st, 'nonvoluntary_ctxt_switches'),
  ];
}

const sides = {};
for (const [name, root] of Object.entries(roots)) {
  const mp = await import(new URL('packages/multiproc/dist/index.js', root).href);
  const { tasks } = await import(new URL('apps/bench/experiments/manager-cpu-tasks.mjs', root).href);
  const manager = await mp.Manager.start();
  const pool = new mp.Pool({ processes: 1, context: 'process' });
  sides[name] = { tasks, manager, pool, dict: manager.dict(), lock: manager.Lock() };
}
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const seen = {};
try {
  for (const s of Object.values(sides))
    for (const kind of kinds)
      await s.pool.apply(s.tasks.pairs, [kind, kind.startsWith('dict') ? s.dict : s.lock, 300]);
  for (let r = 0; r < rounds; r++) {
    for (const kind of kinds) {
      for (const name of r % 2 ? ['other', 'this'] : ['this', 'other']) {
        const s = sides[name];
        const c0 = process.cpuUsage();
        const m0 = counters(process.pid);
        const { rate, cpuUs } = await s.pool.apply(s.tasks.pairs, [
          kind,
          kind.startsWith('dict') ? s.dict : s.lock,
          n,
        ]);
        const c = process.cpuUsage(c0);
        const m1 = counters(process.pid);
        const e = (seen[`${kind} ${name}`] ??= { rate: [], child: [], manager: [], sys: m1.map(() => []) });
        e.rate.push(rate);
        e.child.push(cpuUs);
        e.manager.push((c.user + c.system) / n);
        for (let i = 0; i < m1.length; i++) e.sys[i].push((m1[i] - m0[i]) / n);
      }
    }
  }
} finally {
  for (const s of Object.values(sides)) {
    await s.pool.terminate();
    await s.manager.shutdown();
  }
}
console.log(
  `${n} pairs x ${rounds} rounds, medians; manager: reads/writes/voluntary/involuntary switches per pair`,
);
for (const kind of kinds) {
  const [a, b] = [seen[`${kind} other`], seen[`${kind} this`]];
  for (const [name, e] of [
    ['other', a],
    ['this', b],
  ]) {
    const sys = e.sys.map((v) => median(v).toFixed(2)).join('/');
    console.log(
      `${kind.padEnd(14)} ${name.padEnd(5)} ${median(e.rate).toFixed(0).padStart(7)} pairs/s  CPU µs/pair child ${median(e.child).toFixed(1).padStart(5)} manager ${median(e.manager).toFixed(1).padStart(5)}  manager ${sys}`,
    );
  }
  const ratio = (k) => (median(b[k]) / median(a[k])).toFixed(2);
  console.log(
    `${kind.padEnd(14)} this/other: rate ${ratio('rate')}x, CPU child ${ratio('child')}x, manager ${ratio('manager')}x`,
  );
}
