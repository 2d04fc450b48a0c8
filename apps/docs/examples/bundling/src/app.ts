// A Pool and a Process in each context, from a bundle.
import { isMain, Pool, Process } from '@multiproc/multiproc';
import { tasks } from './tasks.js';

if (isMain()) {
  for (const context of ['thread', 'process'] as const) {
    const pool = new Pool({ processes: 2, context });
    console.log(`${context} ${JSON.stringify(await pool.map(tasks.square, [1, 2, 3]))}`);
    pool.close();
    await pool.join();
    const p = new Process({ target: tasks.greet, args: [context], context });
    p.start();
    await p.join();
  }
}
