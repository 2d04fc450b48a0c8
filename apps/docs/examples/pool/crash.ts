// crash.ts: a worker that dies mid-task rejects that call; the pool replaces it and goes on.
import { isMain, Pool, WorkerCrashedError } from '@multiproc/multiproc';
import { tasks } from './tasks.js';

if (isMain()) {
  const pool = new Pool({ processes: 2, context: 'process' });
  try {
    const results = await Promise.allSettled([
      pool.apply(tasks.exit, [3]), // process.exit(3) inside the task
      pool.apply(tasks.square, [4]),
      pool.apply(tasks.square, [5]),
    ]);
    for (const r of results) {
      if (r.status === 'fulfilled') console.log('ok', r.value);
      else if (r.reason instanceof WorkerCrashedError) console.log('crashed, exit code', r.reason.exitCode);
    }
    console.log('after the crash:', await pool.apply(tasks.square, [6]));
  } finally {
    await pool.terminate();
  }
}

// Output:
// crashed, exit code 3
// ok 16
// ok 25
// after the crash: 36
