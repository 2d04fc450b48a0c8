// Issue 18 experiment (by hand, not part of the suites): what the parent's young generation keeps
// during the `memory` suite's `imap` row. Runs `fixtures/mp-memory.mjs` (10M items through
// `imap(square)`, thread pool of 2) in a fresh child under `--trace-gc-nvp`, and sums the scavenges
// of the parent's isolate (the one with the most): bytes copied within new space (survived) and
// promoted to old space. V8 doubles the semi-space as survivors add up, and what it keeps touched
// counts in the row's RSS growth. Usage: node experiments/imap-survivors.mjs [rounds] [n]
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { median } from './common.mjs';

const rounds = Number(process.argv[2] ?? 3);
const n = process.argv[3] ?? '10000000';
const fixture = fileURLToPath(new URL('../fixtures/mp-memory.mjs', import.meta.url));

/** The parent's scavenges from `--trace-gc-nvp` output: count, survived and promoted bytes. */
function parentScavenges(trace) {
  const byIsolate = new Map();
  for (const line of trace.split('\n')) {
    const m = /^\[\d+:(0x[0-9a-f]+)\]\s+\d+ ms: (.*)$/.exec(line);
    if (!m?.[2].includes(' gc=s ')) continue;
    const field = (name) => Number(new RegExp(` ${name}=(\\d+)`).exec(m[2])?.[1] ?? 0);
    const sum = byIsolate.get(m[1]) ?? { scavenges: 0, survived: 0, promoted: 0 };
    sum.scavenges++;
    sum.survived += field('new_space_survived');
    sum.promoted += field('promoted');
    byIsolate.set(m[1], sum);
  }
  return [...byIsolate.values()].sort((a, b) => b.scavenges - a.scavenges)[0];
}

const rows = [];
for (let round = 0; round < rounds; round++) {
  const out = execFileSync(process.execPath, ['--trace-gc-nvp', fixture, n], {
    maxBuffer: 1 << 28,
  }).toString();
  const result = JSON.parse(out.trim().split('\n').at(-1));
  const gc = parentScavenges(out);
  const row = {
    growthMb: result.growthMb,
    scavenges: gc.scavenges,
    survivedMb: gc.survived / 1e6,
    promotedMb: gc.promoted / 1e6,
    perScavengeKb: (gc.survived + gc.promoted) / gc.scavenges / 1e3,
  };
  rows.push(row);
  console.log(
    `round ${round + 1}: RSS growth ${row.growthMb.toFixed(1)} MB, ${row.scavenges} scavenges, ` +
      `survived ${row.survivedMb.toFixed(2)} MB + promoted ${row.promotedMb.toFixed(2)} MB, ` +
      `${row.perScavengeKb.toFixed(1)} kB a scavenge`,
  );
}
const col = (key) => median(rows.map((r) => r[key]));
console.log(
  `median: RSS growth ${col('growthMb')} MB, ${col('scavenges')} scavenges, survived ` +
    `${col('survivedMb')} + promoted ${col('promotedMb')} MB, ${col('perScavengeKb')} kB a scavenge`,
);
