// Issue 18 experiment (by hand, not part of the suites): where the objects that outlive the parent's
// scavenges during `imap` are allocated. The suite's loop (thread pool of 2, 1000-item warm-up,
// `imap(square)` over a generator) under V8's sampling heap profiler, keeping only samples of
// objects that no scavenge collected, summed by the last three frames of their allocation stack.
// The per-item lines (the loop itself, `Flatten.next`) are inflated by the profiler's session;
// read the per-chunk ones against each other. Usage: node experiments/imap-survivor-sites.mjs [n]
import { Session } from 'node:inspector/promises';
import { Pool } from '@multiproc/multiproc';
import { tasks } from '../fixtures/mp-tasks.mjs';

const n = Number(process.argv[2] ?? 3_000_000);
const SKIP = 100_000;
const pool = new Pool({ processes: 2 });
await pool.map(
  tasks.square,
  Array.from({ length: 1000 }, (_, i) => i),
);
function* items() {
  for (let i = 0; i < n; i++) yield i;
}
const session = new Session();
session.connect();
let count = 0;
for await (const _ of pool.imap(tasks.square, items())) {
  if (++count === SKIP) {
    await session.post('HeapProfiler.startSampling', {
      samplingInterval: 64,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: false,
    });
  }
}
const { profile } = await session.post('HeapProfiler.stopSampling');
await pool.terminate();

const bySite = new Map();
function walk(node, stack) {
  const f = node.callFrame;
  const here = `${f.functionName || '(anon)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber}`;
  const frames = [...stack, here];
  if (node.selfSize > 0) {
    const key = frames.slice(-3).join(' < ');
    bySite.set(key, (bySite.get(key) ?? 0) + node.selfSize);
  }
  for (const child of node.children) walk(child, frames);
}
walk(profile.head, []);
const total = [...bySite.values()].reduce((a, b) => a + b, 0);
const chunks = (n - SKIP) / 16_384;
console.log(`kept ${(total / 1e3).toFixed(0)} kB, ${(total / chunks).toFixed(0)} B a 16k-item chunk`);
for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, 30))
  console.log(`${(bytes / 1e3).toFixed(1).padStart(8)} kB  ${site.slice(0, 200)}`);
