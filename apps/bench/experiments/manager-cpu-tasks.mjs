// Tasks of manager-cpu.mjs: a pool child's timed loop of manager pairs, answering its wall rate
// and its own CPU time per pair (µs), as the bench's manager cases loop.
import { defineTasks } from '@multiproc/multiproc';

const PAIRS = {
  dict: async (d, i) => {
    await d.set('k', i);
    await d.get('k');
  },
  dictRoundTrip: async (d, i) => {
    await d.callMethod('set', 'k', i);
    await d.get('k');
  },
  lock: async (lock) => {
    await lock.acquire();
    await lock.release();
  },
  lockRoundTrip: async (lock) => {
    await lock.acquire();
    await lock.callMethod('release');
  },
};

export const tasks = defineTasks(import.meta.url, {
  pairs: async (kind, obj, n) => {
    const pair = PAIRS[kind];
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await pair(obj, i);
    const ms = performance.now() - t0;
    const c = process.cpuUsage(c0);
    return { rate: n / (ms / 1000), cpuUs: (c.user + c.system) / n };
  },
});
