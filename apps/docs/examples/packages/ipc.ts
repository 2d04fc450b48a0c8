// ipc.ts: @multiproc/ipc with @multiproc/core: a Queue and a Pipe to a child process.
import { defineTasks, isMain, Process } from '@multiproc/core';
import { type Connection, Pipe, Queue } from '@multiproc/ipc';

export const tasks = defineTasks(import.meta.url, {
  async work(q: Queue<number>, conn: Connection<string>) {
    let sum = 0;
    for (let n = await q.get(); n >= 0; n = await q.get()) sum += n;
    conn.send(`sum ${sum}`);
  },
});

if (isMain()) {
  const q = new Queue<number>({ maxsize: 100 });
  const [mine, theirs] = Pipe<string>();
  const p = new Process({ target: tasks.work, args: [q, theirs], context: 'process' });
  p.start();
  theirs.close(); // our copy only; the child keeps its own
  try {
    for (let i = 1; i <= 1000; i++) await q.put(i);
    await q.put(-1);
    console.log(await mine.recv());
    await p.join();
  } finally {
    await p.terminate();
  }
}

// Output:
// sum 500500
