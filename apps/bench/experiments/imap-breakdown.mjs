// Issue 18 experiment (by hand, not part of the suites): where the `memory` row's RSS growth goes.
// The suite's fixture (thread pool of 2, 1000-item warm-up, `imap(square)` over a 10M-item
// generator), with V8's heap spaces of the parent and of each worker (committed bytes) and the
// process's anonymous memory by kind of mapping read before and after the loop.
// Usage: node experiments/imap-breakdown.mjs [n]
import { readFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';
import { defineTasks, isMain, Pool } from '@multiproc/multiproc';
import { tasks } from '../fixtures/mp-tasks.mjs';

/** Heap spaces of this realm: committed MB by space. */
function spaces() {
  const out = {};
  for (const s of getHeapSpaceStatistics()) out[s.space_name] = s.space_size / 1e6;
  return out;
}

export const probe = defineTasks(import.meta.url, {
  /** Waits until both workers run it (a counter on `gate`), then tells this worker's heap. */
  spaces: (gate) => {
    const g = new Int32Array(gate);
    Atomics.add(g, 0, 1);
    Atomics.notify(g, 0);
    while (Atomics.load(g, 0) < 2) Atomics.wait(g, 0, 1, 50);
    return { threadId: process.getBuiltinModule('node:worker_threads').threadId, spaces: spaces() };
  },
});

/** Resident kB of the process's anonymous mappings: V8-sized pages (256 kB aligned) vs the rest (malloc). */
function smaps() {
  let v8 = 0;
  let other = 0;
  let size = 0;
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      size = (Number.parseInt(head[2], 16) - Number.parseInt(head[1], 16)) / 1024;
      size = head[3] === '' ? size : -1; // only anonymous mappings
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (!rss || size < 0) continue;
    if (size % 256 === 0 && size <= 4096) v8 += Number(rss[1]);
    else other += Number(rss[1]);
  }
  return { v8: v8 / 1e3, other: other / 1e3 };
}

async function workers(pool) {
  const gate = new SharedArrayBuffer(4);
  const rows = await Promise.all([pool.apply(probe.spaces, [gate]), pool.apply(probe.spaces, [gate])]);
  return rows.sort((a, b) => a.threadId - b.threadId);
}

if (isMain()) {
  const n = Number(process.argv[2] ?? 10_000_000);
  const pool = new Pool({ processes: 2 });
  await pool.map(
    tasks.square,
    Array.from({ length: 1000 }, (_, i) => i),
  );
  const w0 = await workers(pool);
  const p0 = spaces();
  const m0 = smaps();
  const rss0 = process.memoryUsage.rss();
  function* items() {
    for (let i = 0; i < n; i++) yield i;
  }
  for await (const _ of pool.imap(tasks.square, items()));
  const rss1 = process.memoryUsage.rss();
  const p1 = spaces();
  const m1 = smaps();
  const w1 = await workers(pool);
  await pool.terminate();
  const fmt = (a, b, k) => `${k} ${(b[k] - a[k]).toFixed(2)}`;
  const keys = ['new_space', 'old_space', 'code_space', 'large_object_space'];
  console.log(`RSS growth (end of loop) ${((rss1 - rss0) / 1e6).toFixed(1)} MB`);
  console.log(
    `anonymous Rss: V8-sized mappings +${(m1.v8 - m0.v8).toFixed(1)} MB, other (malloc) +${(m1.other - m0.other).toFixed(1)} MB`,
  );
  console.log(
    `parent committed MB: ${keys.map((k) => fmt(p0, p1, k)).join(', ')} (new space ${p1.new_space.toFixed(1)})`,
  );
  for (const [i, w] of w0.entries()) {
    const line = keys.map((k) => fmt(w.spaces, w1[i].spaces, k)).join(', ');
    console.log(
      `worker ${w.threadId} committed MB: ${line} (new space ${w1[i].spaces.new_space.toFixed(1)})`,
    );
  }
}
