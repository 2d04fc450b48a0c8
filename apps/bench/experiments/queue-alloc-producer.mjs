// Issue 13 (session 17, by hand): bytes the producer's thread allocates per item in the bench's
// one-way small objects (thread context), a Queue's `await put()` loop against a Pipe's `send()`
// loop, by allocation site (V8's sampling heap profiler, collected objects included; a sample is
// charged to the JS frame running, inlined callees folded in). The consumer runs in a Process
// thread as in the bench; only this thread is sampled.
// Usage: node experiments/queue-alloc-producer.mjs <queue|pipe>
import { Session } from 'node:inspector/promises';
import * as mp from '@multiproc/multiproc';
import { tasks } from './queue-cpu-tasks.mjs';

const mode = process.argv[2] ?? 'queue';
const n = 200_000;
const item = (i) => ({ id: i, name: 'item', value: 1.5 });
const queue = mode === 'queue';
const q = queue ? new mp.Queue() : null;
const done = queue ? new mp.Queue() : null;
const [a, b] = queue ? [null, null] : mp.Pipe();
const p = new mp.Process({ target: queue ? tasks.queueSink : tasks.pipeSink, args: queue ? [q, done] : [b] });
p.start();
queue ? await done.get() : await a.recv();

async function sample() {
  if (queue) {
    await q.put(n);
    for (let i = 0; i < n; i++) await q.put(item(i));
    return done.get();
  }
  a.send(n);
  for (let i = 0; i < n; i++) a.send(item(i));
  return a.recv();
}

await sample(); // warm-up: the JIT's first tiers allocate differently
await sample();
const session = new Session();
session.connect();
await session.post('HeapProfiler.startSampling', {
  samplingInterval: 128,
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: true,
});
await sample();
await sample();
const { profile } = await session.post('HeapProfiler.stopSampling');
queue ? await q.put(null) : a.send(null);
await p.join();
const bySite = new Map();
function walk(node, stack) {
  const f = node.callFrame;
  const frames = [...stack, `${f.functionName || '(anon)'}:${f.lineNumber}`];
  if (node.selfSize > 0) {
    const key = frames.slice(-3).join(' < ');
    bySite.set(key, (bySite.get(key) ?? 0) + node.selfSize);
  }
  for (const child of node.children) walk(child, frames);
}
walk(profile.head, []);
const total = [...bySite.values()].reduce((x, y) => x + y, 0);
console.log(`${mode}: the producer's thread allocates ${(total / (2 * n)).toFixed(0)} B per item (sampled)`);
for (const [site, bytes] of [...bySite].sort((x, y) => y[1] - x[1]).slice(0, 12))
  console.log(`${(bytes / (2 * n)).toFixed(0).padStart(6)} B  ${site.slice(0, 180)}`);
