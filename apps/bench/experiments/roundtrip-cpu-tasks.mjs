// Tasks of roundtrip-cpu.mjs: the bench's Pipe echo, answering this thread's CPU time (ms) for
// each batch of round trips after it.
import { defineTasks } from '@multiproc/multiproc';
import { threadCpuNs } from './thread-cpu.mjs';

export const tasks = defineTasks(import.meta.url, {
  pipeEcho: async (conn) => {
    conn.send('ready');
    for (;;) {
      const n = await conn.recv();
      if (n === null) return;
      const c0 = threadCpuNs();
      for (let i = 0; i < n; i++) conn.send(await conn.recv());
      conn.send((threadCpuNs() - c0) / 1e6);
    }
  },
});
