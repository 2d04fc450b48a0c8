// errors.ts: a task that throws rejects its own call, with the same class, message and stack.
import { isMain, Pool } from '@multiproc/multiproc';
import { tasks } from './tasks.js';

if (isMain()) {
  const pool = new Pool({ processes: 2 });
  try {
    try {
      await pool.apply(tasks.fail, ['no negative sizes']);
    } catch (err) {
      console.log(err instanceof RangeError, (err as Error).message);
    }
    // One failing item fails a map call (like Python); other calls are not affected.
    const [bad, good] = await Promise.allSettled([
      pool.map(tasks.fail, ['a', 'b']),
      pool.map(tasks.square, [1, 2]),
    ]);
    console.log(bad.status, good.status === 'fulfilled' && good.value);
    // The …Async forms also call errorCallback, like Python's error_callback.
    await pool
      .applyAsync(tasks.fail, ['late'], {
        errorCallback: (e) => console.log('errorCallback:', (e as Error).message),
      })
      .catch(() => {});
  } finally {
    await pool.terminate();
  }
}

// Output:
// true no negative sizes
// rejected [ 1, 4 ]
// errorCallback: late
