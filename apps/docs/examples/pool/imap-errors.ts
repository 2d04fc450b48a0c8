// imap-errors.ts: a failed item rejects its own next(), and the next call goes on with the item
// after it, as Python's IMapIterator.next() does (the Python docs' pool example).
import { isMain, Pool } from '@multiproc/multiproc';
import { tasks } from './tasks.js';

if (isMain()) {
  const pool = new Pool({ processes: 2 });
  try {
    const it = pool.imap(tasks.inverse, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const seen: unknown[] = [];
    for (let i = 0; i < 10; i++) {
      try {
        seen.push((await it.next()).value);
      } catch (err) {
        seen.push((err as Error).name); // item 5 only
      }
    }
    console.log(seen.join(' '));
    // A for-await loop stops at the first failed item instead (it throws that error).
  } finally {
    await pool.terminate();
  }
}

// Output:
// -0.2 -0.25 -0.3333333333333333 -0.5 -1 RangeError 1 0.5 0.3333333333333333 0.25
