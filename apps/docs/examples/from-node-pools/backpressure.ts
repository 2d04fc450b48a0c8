// backpressure.ts: feeding a pool from a stream without queueing the whole stream.
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { isMain, Pool, QueueFullError } from '@multiproc/multiproc';
import { tasks } from './tasks.js';

if (isMain()) {
  const pool = new Pool({ processes: 2, maxQueue: 2 });
  try {
    // piscina: pause the stream on 'needsDrain', resume on 'drain'. Here imapUnordered reads
    // the stream as results are consumed: at most `inflight` chunks are out at once.
    let read = 0;
    const input = Readable.from(
      (function* () {
        for (let i = 0; i < 40; i++, read++) yield 5;
      })(),
    );
    let done = 0;
    let mostAhead = 0;
    for await (const _ of pool.imapUnordered(tasks.sleep, input, { chunksize: 1, inflight: 4 })) {
      done++;
      mostAhead = Math.max(mostAhead, read - done);
    }
    console.log(`${done} results, never more than 5 items read ahead: ${mostAhead <= 5}`);

    // The …Async forms refuse a call past maxQueue at once, as piscina's run() rejects.
    const calls = [];
    try {
      for (let i = 0; i < 10; i++) calls.push(pool.applyAsync(tasks.sleep, [20]));
    } catch (err) {
      console.log(`call ${calls.length + 1}:`, err instanceof QueueFullError);
    }
    // 'drain' here: nothing queued and nothing running (piscina's: room in the queue again).
    await once(pool, 'drain');
    console.log('drained:', pool.stats().queued, pool.stats().busy);
    await Promise.all(calls);
  } finally {
    pool.close();
    await pool.join();
  }
}

// Output:
// 40 results, never more than 5 items read ahead: true
// call 5: true
// drained: 0 0
