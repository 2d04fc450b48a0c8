// Issue 13 experiment (by hand): bytes allocated per small-object round trip, both ends in this one
// thread over a real MessageChannel (the floor modes of roundtrip-cpu.mjs), by allocation site.
// V8's sampling heap profiler, counting objects the GC has collected too, so what a round trip
// allocates and drops shows (what the GC then has to sweep); a sample is charged to the JS frame
// running, with inlined callees folded into it.
// Usage: node experiments/roundtrip-alloc.mjs floor-pipe|floor-port [round trips] [frames per site]
import { Session } from 'node:inspector/promises';
import { floorRoundTrip } from './roundtrip-floor.mjs';

const mode = process.argv[2] ?? 'floor-pipe';
const n = Number(process.argv[3] ?? 20000);
const roundTrip = floorRoundTrip(mode);
for (let i = 0; i < n; i++) await roundTrip(i);
const session = new Session();
session.connect();
await session.post('HeapProfiler.startSampling', {
  samplingInterval: 256,
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: true,
});
for (let i = 0; i < n; i++) await roundTrip(i);
const { profile } = await session.post('HeapProfiler.stopSampling');
const bySite = new Map();
function walk(node, stack) {
  const f = node.callFrame;
  const here = `${f.functionName || '(anon)'} ${f.url.split('/').slice(-1).join('/')}:${f.lineNumber}`;
  const frames = [...stack, here];
  if (node.selfSize > 0) {
    const key = frames.slice(-Number(process.argv[4] ?? 2)).join(' < ');
    bySite.set(key, (bySite.get(key) ?? 0) + node.selfSize);
  }
  for (const child of node.children) walk(child, frames);
}
walk(profile.head, []);
const total = [...bySite.values()].reduce((a, b) => a + b, 0);
console.log(`${mode}: ${(total / n).toFixed(0)} B per round trip (sampled)`);
for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, 30))
  console.log(`${(bytes / n).toFixed(0).padStart(6)} B  ${site.slice(0, 220)}`);
process.exit(0);
