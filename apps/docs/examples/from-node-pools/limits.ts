// limits.ts: resourceLimits, and what a worker that runs out of memory does to its call.
import { isMain, Pool, WorkerCrashedError } from '@multiproc/multiproc';
import { tasks } from './tasks.js';

if (isMain()) {
  // piscina: new Piscina({ resourceLimits: { maxOldGenerationSizeMb: 32 } }): the same names.
  const pool = new Pool({ processes: 1, resourceLimits: { maxOldGenerationSizeMb: 32 } });
  pool.on('crash', (crash) => console.log('crash event, worker', crash.id));
  try {
    await pool.apply(tasks.hog, []).catch((err) => {
      console.log('rejected:', err instanceof WorkerCrashedError, err.reason);
    });
    console.log('the next call runs on a new worker:', await pool.apply(tasks.sleep, [1]));
  } finally {
    pool.close();
    await pool.join();
  }
}

// Output:
// crash event, worker 1
// rejected: true out of memory
// the next call runs on a new worker: 1
