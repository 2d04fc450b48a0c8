/**
 * The ceiling for `map` over numbers in Node: two raw worker_threads, inputs packed into
 * Float64Array chunks that are transferred (not cloned) both ways. No pool library, no error
 * handling: what any pool could reach on this machine.
 */
import { Worker } from 'node:worker_threads';
import { nowMs, perSecond, sampleRuns } from '../harness.js';
import { fixtureUrl } from '../paths.js';
import { range } from '../peers.js';
import type { BenchCase } from '../types.js';

interface Reply {
  id: number;
  buf: ArrayBuffer;
}

async function mapPacked(workers: Worker[], input: number[], chunkSize: number): Promise<number[]> {
  const out = new Float64Array(input.length);
  const chunks = Math.ceil(input.length / chunkSize);
  let left = chunks;
  const done = new Promise<void>((resolve) => {
    const onReply = ({ id, buf }: Reply) => {
      out.set(new Float64Array(buf), id * chunkSize);
      if (--left === 0) {
        for (const w of workers) w.off('message', onReply);
        resolve();
      }
    };
    for (const w of workers) w.on('message', onReply);
  });
  for (let id = 0; id < chunks; id++) {
    const chunk = Float64Array.from(input.slice(id * chunkSize, (id + 1) * chunkSize));
    workers[id % workers.length]!.postMessage({ id, buf: chunk.buffer }, [chunk.buffer]);
  }
  await done;
  return Array.from(out);
}

/** `map(square)` on 2 raw workers with transferred Float64Array chunks. */
export function rawPackedMapCase(): BenchCase {
  return {
    id: 'pool/map/raw-worker-threads-packed',
    suite: 'pool',
    group: 'pool.map',
    title: 'map(square) over the items, warm pool of 2',
    impl: 'raw worker_threads (transferred Float64Array chunks)',
    kind: 'baseline',
    unit: 'items/s',
    better: 'higher',
    measure: async ({ runs, warmup, sizes }) => {
      const workers = [0, 1].map(() => new Worker(fixtureUrl('raw-square-worker.mjs')));
      try {
        await mapPacked(workers, range(1000), 100);
        const n = sizes.poolItems;
        const input = range(n);
        const samples = await sampleRuns({ runs, warmup }, async () => {
          const t0 = nowMs();
          const out = await mapPacked(workers, input, sizes.batch);
          const ms = nowMs() - t0;
          if (out[n - 1] !== (n - 1) * (n - 1)) throw new Error('wrong results');
          return perSecond(n, ms);
        });
        return { samples, extra: { chunk: sizes.batch } };
      } finally {
        await Promise.all(workers.map((w) => w.terminate()));
      }
    },
  };
}
