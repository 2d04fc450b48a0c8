// interrupt.ts: SIGINT to a child, which finishes its work in a listener; a thread is stopped.
import { type Connection, defineTasks, isMain, Pipe, Process } from '@multiproc/multiproc';

export const tasks = defineTasks(import.meta.url, {
  serve: (conn: Connection) => {
    process.on('SIGINT', () => {
      conn.send('saved'); // finish up, then end
      process.exit(0);
    });
    conn.send('ready');
    return new Promise(() => setInterval(() => {}, 1_000)); // runs until told
  },
  nap: () => new Promise(() => setInterval(() => {}, 1_000)),
});

if (isMain()) {
  const [conn, theirs] = Pipe();
  const child = new Process({ target: tasks.serve, args: [theirs], context: 'process' });
  child.start();
  console.log(await conn.recv()); // the listener is installed
  child.interrupt(); // SIGINT; returns at once
  console.log(await conn.recv());
  await child.join();
  console.log('child:', child.exitCode);

  const thread = new Process({ target: tasks.nap }); // the 'thread' context: no signals there
  thread.start();
  thread.interrupt(); // stopped as terminate() stops it
  await thread.join();
  console.log('thread:', thread.exitCode);
  conn.close();
  theirs.close();
}

// Output:
// ready
// saved
// child: 0
// thread: -2
