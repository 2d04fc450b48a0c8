// where.ts: the same task in the 'thread' context and in the 'process' context.
import { currentProcess, defineTasks, isMain, Pool } from '@multiproc/multiproc';

export const tasks = defineTasks(import.meta.url, {
  whereAmI: () => {
    const me = currentProcess();
    return { pid: me.pid, threadId: me.threadId, name: me.name };
  },
});

if (isMain()) {
  for (const context of ['thread', 'process'] as const) {
    const pool = new Pool({ processes: 1, context });
    try {
      const w = await pool.apply(tasks.whereAmI, []);
      console.log(
        `${context}: same pid as main: ${w.pid === process.pid}, worker thread: ${w.threadId !== 0}`,
      );
    } finally {
      await pool.terminate();
    }
  }
}

// Output:
// thread: same pid as main: true, worker thread: true
// process: same pid as main: false, worker thread: false
