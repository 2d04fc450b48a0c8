// lazy.ts: imap over an endless input reads only what it needs.
import { isMain, Pool } from '@multiproc/multiproc';
import { tasks } from './tasks.js';

let produced = 0;
function* naturals() {
  for (let n = 1; ; n++) {
    produced = n;
    yield n;
  }
}

if (isMain()) {
  const pool = new Pool({ processes: 2 });
  try {
    let sum = 0;
    // chunksize items per message; at most `inflight` chunks read ahead of this loop
    for await (const sq of pool.imap(tasks.square, naturals(), { chunksize: 10, inflight: 2 })) {
      sum += sq;
      if (sq >= 100 * 100) break; // leaving the loop stops reading the input
    }
    console.log('sum of squares up to 100²:', sum);
    console.log('items read ahead of the loop, at most 2 chunks of 10:', produced - 100 <= 20);
  } finally {
    await pool.terminate();
  }
}

// Output:
// sum of squares up to 100²: 338350
// items read ahead of the loop, at most 2 chunks of 10: true
