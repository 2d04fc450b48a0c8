// main.ts: the client. The same code as with the local Pool; only the line that makes the pool
// changes. REDIS_URL and MULTIPROC_SECRET come from the environment, as on the workers.

import { Pool } from '@multiproc/bullmq';
import { isMain } from '@multiproc/core';
import { tasks } from './tasks.js';

function* lines(count: number) {
  for (let i = 1; i <= count; i++) yield `line ${i} has ${'word '.repeat(i % 5)}`.trim();
}

if (isMain()) {
  const pool = new Pool({ connection: process.env.REDIS_URL });
  console.log(await pool.map(tasks.square, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));

  // imap reads its input lazily and keeps a bounded number of jobs in flight.
  let total = 0;
  for await (const count of pool.imap(tasks.words, lines(1000))) total += count;
  console.log(`${total} words`);

  pool.close();
  await pool.join(); // waits for the jobs, then deletes every key of this pool from Redis
}
