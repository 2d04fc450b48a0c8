// pipe.ts: a Pipe between the main program and a child process.
import { type Connection, defineTasks, isMain, Pipe, Process } from '@multiproc/multiproc';

export const tasks = defineTasks(import.meta.url, {
  echoUpper: async (conn: Connection<string>) => {
    for await (const text of conn) conn.send(text.toUpperCase()); // until the other end closes
    conn.close();
  },
});

if (isMain()) {
  const [mine, theirs] = Pipe<string>(); // duplex: both ends send and receive
  const p = new Process({ target: tasks.echoUpper, args: [theirs], context: 'process' });
  p.start();
  theirs.close(); // closes our copy only; the child keeps its own
  try {
    for (const word of ['ping', 'pong']) {
      mine.send(word);
      console.log(await mine.recv());
    }
    mine.close(); // the child's loop ends: it sees EOF
    await p.join();
    console.log('child exit code:', p.exitCode);
  } finally {
    await p.terminate();
  }
}

// Output:
// PING
// PONG
// child exit code: 0
