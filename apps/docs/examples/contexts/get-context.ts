// get-context.ts: pick a context once and use its Process, Pool, Queue, ...
import { ContextError, defineTasks, getContext, isMain, Value } from '@multiproc/multiproc';

export const tasks = defineTasks(import.meta.url, {
  pid: () => process.pid,
  read: (v: Value<'i'>) => v.value,
});

if (isMain()) {
  const ctx = getContext('process'); // Python: multiprocessing.get_context('spawn')
  const pool = new ctx.Pool({ processes: 1 });
  try {
    console.log(ctx.getStartMethod(), (await pool.apply(tasks.pid, [])) !== process.pid);
    // Shared memory cannot cross into another process: the call fails at once and says why.
    await pool.apply(tasks.read, [new Value('i', 1)]).catch((err) => {
      console.log(err instanceof ContextError, (err as Error).message.includes('args[0]'));
    });
  } finally {
    await pool.terminate();
  }
  try {
    getContext('fork' as never); // Python's names are not ours: 'thread' or 'process'
  } catch (err) {
    console.log((err as ContextError).code);
  }
}

// Output:
// process true
// true true
// MP_CONTEXT
