// Issue 18 experiment (by hand, not part of the suites): the floor under the `memory` suite's row.
// Each variant runs in a fresh child with the suite's harness (a warm thread pool of 2, then peak
// RSS growth while 10M items go through a loop, sampled every 5 ms): `imap` is the suite's case;
// `for-await` the same loop over an async generator of the 10M squares, without the pool; `sync` a
// plain `for...of` over the generator. Usage: node experiments/imap-memory-floor.mjs [rounds] [n]
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { median } from './common.mjs';

const VARIANTS = ['sync', 'for-await', 'imap'];

if (process.argv[2] === 'child') {
  const [variant, n] = [process.argv[3], Number(process.argv[4])];
  const { Pool } = await import('@multiproc/multiproc');
  const { tasks } = await import('../fixtures/mp-tasks.mjs');
  const pool = new Pool({ processes: 2 });
  await pool.map(
    tasks.square,
    Array.from({ length: 1000 }, (_, i) => i),
  );
  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 5);
  function* items() {
    for (let i = 0; i < n; i++) yield i;
  }
  async function* squares() {
    for (let i = 0; i < n; i++) yield i * i;
  }
  let count = 0;
  if (variant === 'imap') for await (const _ of pool.imap(tasks.square, items())) count++;
  else if (variant === 'for-await') for await (const _ of squares()) count++;
  else for (const _ of items()) count++;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage.rss());
  await pool.terminate();
  if (count !== n) throw new Error(`${variant} gave ${count} of ${n} items`);
  console.log(((peak - baseline) / 1e6).toFixed(1));
} else {
  const rounds = Number(process.argv[2] ?? 3);
  const n = process.argv[3] ?? '10000000';
  const samples = Object.fromEntries(VARIANTS.map((v) => [v, []]));
  for (let round = 0; round < rounds; round++) {
    for (const variant of VARIANTS) {
      const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), 'child', variant, n]);
      samples[variant].push(Number(out.toString().trim()));
    }
  }
  for (const variant of VARIANTS)
    console.log(
      `${variant.padEnd(10)} peak RSS growth ${median(samples[variant])} MB (${samples[variant].join(', ')})`,
    );
}
