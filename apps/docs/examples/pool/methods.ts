// methods.ts: every way to submit work, with Python's name beside each.
import { isMain, Pool } from '@multiproc/multiproc';
import { tasks } from './tasks.js';

if (isMain()) {
  const pool = new Pool({ processes: 2 });
  try {
    // apply: one call, awaited
    console.log('apply:', await pool.apply(tasks.add, [2, 3]));

    // apply_async: returns an AsyncResult at once; await it, or get(ms), ready(), successful()
    const r = pool.applyAsync(tasks.square, [7], { callback: (v) => console.log('callback:', v) });
    console.log('applyAsync:', await r.get(5_000), r.ready(), r.successful());

    // map / starmap: every result, in input order
    console.log('map:', await pool.map(tasks.square, [1, 2, 3, 4]));
    console.log(
      'starmap:',
      await pool.starmap(tasks.add, [
        [1, 2],
        [3, 4],
      ]),
    );

    // map_async / starmap_async: the same, as an AsyncResult
    console.log('mapAsync:', await pool.mapAsync(tasks.square, [5, 6]));
    console.log('starmapAsync:', await pool.starmapAsync(tasks.add, [[5, 6]]));

    // imap: results in input order, one at a time, as soon as each is ready
    const ordered: number[] = [];
    for await (const v of pool.imap(tasks.slowSquare, [1, 2, 3, 4, 5, 6])) ordered.push(v);
    console.log('imap:', ordered);

    // imap_unordered: in completion order (sorted here, since that order varies)
    const done: number[] = [];
    for await (const v of pool.imapUnordered(tasks.slowSquare, [1, 2, 3, 4, 5, 6], { chunksize: 1 })) {
      done.push(v);
    }
    console.log(
      'imapUnordered:',
      done.sort((a, b) => a - b),
    );

    pool.close(); // no more submissions
    await pool.join(); // wait for the workers to finish
  } finally {
    await pool.terminate();
  }
}

// Output:
// apply: 5
// callback: 49
// applyAsync: 49 true true
// map: [ 1, 4, 9, 16 ]
// starmap: [ 3, 7 ]
// mapAsync: [ 25, 36 ]
// starmapAsync: [ 11 ]
// imap: [ 1, 4, 9, 16, 25, 36 ]
// imapUnordered: [ 1, 4, 9, 16, 25, 36 ]
