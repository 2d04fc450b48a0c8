/**
 * Ans1, "why multiprocessing": the same CPU-bound job (counting primes) run serially in this
 * thread, then on a pool of `cpuCount()` workers, with live progress and the measured speedup.
 */
import { loadavg } from 'node:os';
import { cpuCount } from '@multiproc/multiproc';
import { check, type Example } from '../example.js';
import { formatMs, round } from '../format.js';
import { withPool } from '../lifecycle.js';
import { tasks } from '../tasks/work.js';

/** Primes below this many, in `CHUNKS` ranges: about a second of work for one core. */
const LIMIT = 2_000_000;
const CHUNKS = 24;

function ranges(): [number, number][] {
  const size = Math.ceil(LIMIT / CHUNKS);
  return Array.from({ length: CHUNKS }, (_, i) => [i * size, Math.min(LIMIT, (i + 1) * size)]);
}

export const ans1: Example = {
  name: 'ans1',
  title: 'Ans1 · why multiprocessing: a CPU-bound job, serial vs a pool',
  summary: 'count primes below 2,000,000 serially, then on a Pool of cpuCount() workers: measured speedup',
  needs: ['Pool'],
  async run({ context, out }) {
    const work = ranges();
    const processes = cpuCount();
    out.note(`Counting primes below ${LIMIT.toLocaleString('en-US')} in ${CHUNKS} ranges.`);

    // Serially, in this thread: a task reference can be called here like the function it names.
    const serialBar = out.progress('serial', work.length);
    const started = performance.now();
    let serialCount = 0;
    for (const [i, range] of work.entries()) {
      serialCount += tasks.countPrimes(range);
      serialBar.update(i + 1);
    }
    serialBar.stop();
    const serialMs = performance.now() - started;

    // In parallel: the same ranges on a pool, one per message, so the bar moves range by range.
    // The pool is started (and its workers warmed) first: start-up is paid once, and shown apart.
    const { poolMs, startupMs, counts } = await withPool({ processes, context }, async (pool) => {
      const t0 = performance.now();
      await pool.map(tasks.noop, Array.from({ length: processes }));
      const t1 = performance.now();
      const bar = out.progress('pool', work.length);
      const counts = await pool.map(tasks.countPrimes, work, {
        chunksize: 1,
        onProgress: (done) => bar.update(done),
      });
      bar.stop();
      return { startupMs: t1 - t0, poolMs: performance.now() - t1, counts };
    });
    const poolCount = counts.reduce((a, b) => a + b, 0);

    check(poolCount === serialCount, `the pool counted ${poolCount} primes, serially ${serialCount}`);
    const speedup = serialMs / poolMs;
    out.line(`primes below ${LIMIT.toLocaleString('en-US')}: ${poolCount.toLocaleString('en-US')}`);
    const workers = `${processes} ${context === 'thread' ? 'threads' : 'processes'}`;
    const show = (label: string, value: string) => out.line(`${`${label}:`.padEnd(26)}${value}`);
    show('serial, in this thread', formatMs(serialMs));
    show(`pool of ${workers}`, formatMs(poolMs));
    show('speedup', `${speedup.toFixed(2)}x on ${processes} CPUs`);
    out.note(`(the pool's start-up, ${formatMs(startupMs)}, is paid once and not counted above)`);
    const load = loadavg()[0] ?? 0;
    if (processes === 1) out.note('One CPU: a pool cannot be faster here; it only shows its overhead.');
    else if (speedup < 1.2 && load > processes) {
      out.note(`The CPUs are busy with other work (load average ${load.toFixed(1)}): little left to gain.`);
    }
    return {
      primes: poolCount,
      chunks: CHUNKS,
      processes,
      serialMs: round(serialMs),
      poolMs: round(poolMs),
      poolStartupMs: round(startupMs),
      loadAverage: round(loadavg()[0] ?? 0),
      speedup: round(speedup),
    };
  },
};
