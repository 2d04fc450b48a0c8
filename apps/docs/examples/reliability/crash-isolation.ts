// crash-isolation.ts: a worker killed mid-task fails only the call it was running.
import { defineTasks, isMain, Pool, WorkerCrashedError } from '@multiproc/multiproc';

export const tasks = defineTasks(import.meta.url, {
  work: async (n: number) => {
    if (n === 3) process.kill(process.pid, 'SIGKILL'); // as if the OOM killer struck
    await new Promise((resolve) => setTimeout(resolve, 10));
    return n * 10;
  },
});

if (isMain()) {
  const pool = new Pool({ processes: 2, context: 'process' });
  try {
    const calls = [1, 2, 3, 4, 5, 6].map((n) => pool.apply(tasks.work, [n]));
    for (const r of await Promise.allSettled(calls)) {
      if (r.status === 'fulfilled') console.log('ok', r.value);
      else if (r.reason instanceof WorkerCrashedError) console.log('crashed:', r.reason.signal);
    }
  } finally {
    await pool.terminate();
  }
}

// Every other call completes exactly once, even those sent to the dead worker with it.
// Output:
// ok 10
// ok 20
// crashed: SIGKILL
// ok 40
// ok 50
// ok 60
