// Tasks of queue-race.mjs: the bench's Queue sink, answering this thread's CPU time, run-queue wait
// and time slices for each batch, how many messages it posted, and its GC pauses.
import { readlinkSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
import { MessagePort } from 'node:worker_threads';
import { defineTasks } from '@multiproc/multiproc';
import { threadStat } from './thread-cpu.mjs';

export const tasks = defineTasks(import.meta.url, {
  queueSink: async (q, done) => {
    let posts = 0;
    const post = MessagePort.prototype.postMessage;
    MessagePort.prototype.postMessage = function (msg, transfer) {
      posts++;
      return post.call(this, msg, transfer);
    };
    const gc = [];
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) gc.push(e.duration);
    }).observe({ entryTypes: ['gc'] });
    await done.put('ready');
    for (;;) {
      const n = await q.get();
      if (n === null) return;
      const s0 = threadStat();
      posts = 0;
      gc.length = 0;
      for (let i = 0; i < n; i++) await q.get();
      const s = threadStat();
      const answer = {
        tid: readlinkSync('/proc/thread-self').split('/').pop(),
        cpu: s.cpu - s0.cpu,
        wait: s.wait - s0.wait,
        slices: s.slices - s0.slices,
        posts,
        gc: gc.slice(),
      };
      await done.put(answer);
    }
  },
});
