// memory.ts: threads can share memory; processes get a copy of what you send.
import { defineTasks, isMain, Pool, Value } from '@multiproc/multiproc';

export const tasks = defineTasks(import.meta.url, {
  bump: (counter: Value<'i'>) => {
    counter.value += 1; // one worker at a time here (processes: 1), so no lock is needed
    return counter.value;
  },
  bumpCopy: (plain: { n: number }) => {
    plain.n += 1; // a structured-clone copy: the caller's object does not change
    return plain.n;
  },
});

if (isMain()) {
  const pool = new Pool({ processes: 1, context: 'thread' });
  try {
    const counter = new Value('i', 0);
    await pool.apply(tasks.bump, [counter]);
    await pool.apply(tasks.bump, [counter]);
    console.log('shared Value after two tasks:', counter.value);

    const plain = { n: 0 };
    await pool.apply(tasks.bumpCopy, [plain]);
    console.log('plain object after one task:', plain.n);
  } finally {
    await pool.terminate();
  }
}

// Output:
// shared Value after two tasks: 2
// plain object after one task: 0
