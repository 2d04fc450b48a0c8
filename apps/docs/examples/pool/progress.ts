// progress.ts: onProgress for map-style calls, sendToCaller() + onMessage from inside a task.
import { isMain, Pool } from '@multiproc/multiproc';
import { tasks } from './tasks.js';

if (isMain()) {
  const pool = new Pool({ processes: 2 });
  try {
    let last = '';
    await pool.map(
      tasks.square,
      Array.from({ length: 1000 }, (_, i) => i),
      {
        chunksize: 100,
        onProgress: (done, total) => (last = `${done}/${total}`),
      },
    );
    console.log('progress at the end:', last);

    // What the task sent before it returned has reached onMessage by the time the call settles.
    const messages: unknown[] = [];
    const n = await pool.apply(tasks.countTo, [3], { onMessage: (m) => messages.push(m) });
    console.log(n, messages);
    // stats() also has `starting`: workers not ready for a task yet (one may still be, on a busy machine).
    const { workers, busy, queued, completed, failed } = pool.stats();
    console.log({ workers, busy, queued, completed, failed });
  } finally {
    await pool.terminate();
  }
}

// Output:
// progress at the end: 1000/1000
// 3 [ 'step 1 of 3', 'step 2 of 3', 'step 3 of 3' ]
// { workers: 2, busy: 0, queued: 0, completed: 11, failed: 0 }
