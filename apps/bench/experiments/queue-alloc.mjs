// Issue 13 experiment (by hand): bytes allocated per Queue item, put and get in this one thread
// over a real MessageChannel (a home Queue and a thread copy of it, as queue-cpu.mjs's floor), by
// allocation site. V8's sampling heap profiler, counting objects the GC has collected too, so what
// an item allocates and drops shows (what the young-generation collections then have to sweep); a
// sample is charged to the JS frame running, with inlined callees folded into it. The bench loop's
// own share (the item, the two awaits) is in the total: compare totals of two builds, not sites.
// Usage: node experiments/queue-alloc.mjs [items] [frames per site]
import { Session } from 'node:inspector/promises';
import * as mp from '@multiproc/multiproc';
import { decodeValue, encodeValue } from '@multiproc/shared';

const n = Number(process.argv[2] ?? 100_000);
const item = (i) => ({ id: i, name: 'item', value: 1.5 });
const q = new mp.Queue();
const copy = decodeValue(encodeValue(q, 'thread').value, 'thread');

async function putAndGet() {
  const consumer = (async () => {
    for (let i = 0; i < n; i++) await copy.get();
  })();
  for (let i = 0; i < n; i++) await q.put(item(i));
  await consumer;
}

await putAndGet(); // warm-up: the JIT's first tiers allocate differently
const session = new Session();
session.connect();
await session.post('HeapProfiler.startSampling', {
  samplingInterval: 256,
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: true,
});
await putAndGet();
const { profile } = await session.post('HeapProfiler.stopSampling');
const bySite = new Map();
function walk(node, stack) {
  const f = node.callFrame;
  const here = `${f.functionName || '(anon)'} ${f.url.split('/').slice(-1).join('/')}:${f.lineNumber}`;
  const frames = [...stack, here];
  if (node.selfSize > 0) {
    const key = frames.slice(-Number(process.argv[3] ?? 2)).join(' < ');
    bySite.set(key, (bySite.get(key) ?? 0) + node.selfSize);
  }
  for (const child of node.children) walk(child, frames);
}
walk(profile.head, []);
const total = [...bySite.values()].reduce((a, b) => a + b, 0);
console.log(`put + get: ${(total / n).toFixed(0)} B per item (sampled)`);
for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, 20))
  console.log(`${(bytes / n).toFixed(0).padStart(6)} B  ${site.slice(0, 200)}`);
process.exit(0);
