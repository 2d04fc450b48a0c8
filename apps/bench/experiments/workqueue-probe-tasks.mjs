// Tasks of workqueue-probe.mjs: the bench's work-queue producer and consumer, instrumented. A
// consumer answers the items it took, the time its gets waited, its CPU and its posts.
import { MessagePort } from 'node:worker_threads';
import { defineTasks } from '@multiproc/multiproc';
import { threadStat } from './thread-cpu.mjs';

let posts = 0;
const post = MessagePort.prototype.postMessage;
MessagePort.prototype.postMessage = function (msg, transfer) {
  posts++;
  return post.call(this, msg, transfer);
};

export const tasks = defineTasks(import.meta.url, {
  producer: async (go, jobs, done, id) => {
    for (;;) {
      const n = await go.get();
      if (n === null) return;
      const t0 = performance.now();
      for (let i = 0; i < n; i++) await jobs.put({ id, i, name: 'item', value: 1.5 });
      await done.put({ id, putMs: performance.now() - t0 });
    }
  },
  consumer: async (jobs, stats, resume, id) => {
    let taken = 0;
    let waitMs = 0;
    let slow = 0;
    let c0 = threadStat();
    let p0 = posts;
    for (;;) {
      const t = performance.now();
      const job = await jobs.get();
      const d = performance.now() - t;
      waitMs += d;
      if (d > 0.02) slow++;
      jobs.taskDone();
      if (job === 'report') {
        const c = threadStat();
        await stats.put({ id, taken, waitMs, slow, cpuMs: (c.cpu - c0.cpu) / 1e6, posts: posts - p0 });
        taken = 0;
        waitMs = 0;
        slow = 0;
        c0 = threadStat();
        p0 = posts;
        await resume.get(); // so the other consumer takes the other report
        continue;
      }
      if (job === null) return;
      taken++;
    }
  },
});
