// cancel.ts: timeouts and AbortSignal; a running task is stopped by replacing its worker.
import { isMain, Pool, TimeoutError } from '@multiproc/multiproc';
import { tasks } from './tasks.js';

if (isMain()) {
  const pool = new Pool({ processes: 2 });
  try {
    try {
      await pool.apply(tasks.sleep, [60_000], { timeout: 50 });
    } catch (err) {
      console.log('timeout:', err instanceof TimeoutError);
    }

    const controller = new AbortController();
    const call = pool.apply(tasks.sleep, [60_000], { signal: controller.signal });
    controller.abort(new Error('user pressed cancel'));
    try {
      await call;
    } catch (err) {
      console.log('abort:', (err as Error).name, '-', ((err as Error).cause as Error).message);
    }

    // AsyncResult.get(ms) gives up waiting, but the task itself goes on.
    const r = pool.applyAsync(tasks.sleep, [200]);
    await r.get(10).catch((err) => console.log('get(10):', err instanceof TimeoutError));
    await r;
    console.log('the task still finished:', r.successful());
  } finally {
    await pool.terminate();
  }
}

// Output:
// timeout: true
// abort: AbortError - user pressed cancel
// get(10): true
// the task still finished: true
