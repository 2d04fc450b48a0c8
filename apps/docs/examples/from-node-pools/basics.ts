// basics.ts: piscina's run(), transferList and signal, in multiproc's words.
import { isMain, move, Pool, TimeoutError } from '@multiproc/multiproc';
import { tasks } from './tasks.js';

if (isMain()) {
  // piscina: new Piscina({ filename, maxThreads: 2 }); the file is named per call here.
  const pool = new Pool({ processes: 2 });
  try {
    // piscina: await pool.run(bytes)
    const bytes = new Uint8Array(1_000_000).fill(7);
    console.log('checksum:', await pool.apply(tasks.checksum, [bytes]));

    // piscina: pool.run(bytes, { transferList: [bytes.buffer] }), or Piscina.move(bytes)
    console.log('moved:', await pool.apply(tasks.checksum, [move(bytes)]), bytes.byteLength);
    const back = await pool.apply(tasks.fill, [4, 9]); // the task returned move(result)
    console.log('moved back:', back);

    // piscina: pool.run(x, { signal }); a running task is stopped by replacing its worker
    const controller = new AbortController();
    const call = pool.apply(tasks.spin, [60_000], { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('client went away')), 50);
    await call.catch((err) => console.log('aborted:', err.name, '-', err.cause.message));

    // AbortSignal.timeout() works as any signal; the timeout option gives a TimeoutError instead
    await pool
      .apply(tasks.sleep, [60_000], { signal: AbortSignal.timeout(50) })
      .catch((err) => console.log('signal timeout:', err.name, '-', err.cause.name));
    await pool
      .apply(tasks.sleep, [60_000], { timeout: 50 })
      .catch((err) => console.log('timeout option:', err instanceof TimeoutError));

    // workerpool: pool.exec('checksum', [bytes]) for many inputs: one map call
    console.log('map:', await pool.map(tasks.checksum, [new Uint8Array([1, 2]), new Uint8Array([3])]));
  } finally {
    // piscina: await pool.close() lets queued work finish; here close() then join()
    pool.close();
    await pool.join();
  }
}

// Output:
// checksum: 54774
// moved: 54774 0
// moved back: Uint8Array(4) [ 9, 9, 9, 9 ]
// aborted: AbortError - client went away
// signal timeout: AbortError - TimeoutError
// timeout option: true
// map: [ 3, 3 ]
