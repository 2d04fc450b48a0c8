// Issue 13 experiment (by hand): where a work queue's time goes. 2 producers x 2 consumers share a
// JoinableQueue as in the bench's `workqueue` row; prints per round: items/s, the home's backlog
// (qsize sampled every ms), each consumer's items, get wait (total, gets over 20 us) and CPU per
// item, posts by each side.
// Usage: node experiments/workqueue-probe.mjs [thread|process] [items per producer] [rounds]
import { MessagePort } from 'node:worker_threads';
import * as mp from '@multiproc/multiproc';
import { threadStat } from './thread-cpu.mjs';
import { tasks } from './workqueue-probe-tasks.mjs';

const ctx = process.argv[2] ?? 'thread';
const n = Number(process.argv[3] ?? 10_000);
const rounds = Number(process.argv[4] ?? 5);
let homePosts = 0;
const post = MessagePort.prototype.postMessage;
MessagePort.prototype.postMessage = function (msg, transfer) {
  homePosts++;
  return post.call(this, msg, transfer);
};
const jobs = new mp.JoinableQueue();
const go = new mp.Queue();
const done = new mp.Queue();
const stats = new mp.Queue();
const resume = new mp.Queue();
const ws = [
  ...[0, 1].map(
    (id) => new mp.Process({ target: tasks.consumer, args: [jobs, stats, resume, id], context: ctx }),
  ),
  ...[0, 1].map((id) => new mp.Process({ target: tasks.producer, args: [go, jobs, done, id], context: ctx })),
];
for (const w of ws) w.start();
const round = async (k) => {
  const c0 = threadStat();
  const p0 = homePosts;
  const t0 = performance.now();
  const backlog = [];
  const timer = setInterval(() => backlog.push(jobs.qsize()), 1);
  for (let i = 0; i < 2; i++) await go.put(k);
  const put = [];
  for (let i = 0; i < 2; i++) put.push((await done.get()).putMs.toFixed(1));
  await jobs.join();
  const ms = performance.now() - t0;
  clearInterval(timer);
  const c = threadStat();
  for (let i = 0; i < 2; i++) await jobs.put('report');
  const s = [await stats.get(), await stats.get()].sort((a, b) => a.id - b.id);
  for (let i = 0; i < 2; i++) await resume.put(1);
  await jobs.join();
  const empty = backlog.filter((b) => b === 0).length;
  console.log(
    `${((((2 * k) / ms) * 1000) / 1000).toFixed(1)}k items/s, ${ms.toFixed(0)} ms; puts done in ${put} ms;` +
      ` backlog samples ${backlog.length}, empty ${empty}, max ${Math.max(...backlog)}; home CPU` +
      ` ${((c.cpu - c0.cpu) / 1e6).toFixed(0)} ms, posts ${homePosts - p0}`,
  );
  for (const x of s)
    console.log(
      `  consumer ${x.id}: ${x.taken} items, wait ${x.waitMs.toFixed(0)} ms (${((x.waitMs * 1000) / x.taken).toFixed(1)} us/get, ${x.slow} over 20 us), CPU ${((x.cpuMs * 1000) / x.taken).toFixed(2)} us/item, posts ${x.posts}`,
    );
};
await round(100);
for (let r = 0; r < rounds; r++) await round(n);
for (let i = 0; i < 2; i++) {
  await go.put(null);
  await jobs.put(null);
}
for (const w of ws) await w.join();
