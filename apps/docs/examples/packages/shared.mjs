// shared.mjs: @multiproc/shared alone, with plain worker_threads: run with `node shared.mjs`
import { isMainThread, Worker, workerData } from 'node:worker_threads';
import { decodeValue, encodeValue, Value } from '@multiproc/shared';

if (isMainThread) {
  const counter = new Value('i', 0);
  const { value } = encodeValue({ counter }, 'thread'); // multiproc's Process/Pool do this for you
  const workers = [1, 2].map(() => new Worker(new URL(import.meta.url), { workerData: value }));
  await Promise.all(workers.map((w) => new Promise((done) => w.on('exit', done))));
  console.log(counter.value);
} else {
  const { counter } = decodeValue(workerData, 'thread');
  const lock = counter.getLock();
  for (let i = 0; i < 100_000; i++) {
    lock.acquireSync();
    counter.value += 1;
    lock.release();
  }
}

// Output:
// 200000
