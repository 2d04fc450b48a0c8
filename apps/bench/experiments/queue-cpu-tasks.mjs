// Tasks of queue-cpu.mjs: the bench's Queue and Pipe sinks, answering this thread's CPU time (ms)
// for each batch instead of 'done'.
import { defineTasks } from '@multiproc/multiproc';
import { threadCpuNs } from './thread-cpu.mjs';

export const tasks = defineTasks(import.meta.url, {
  queueSink: async (q, done) => {
    await done.put('ready');
    for (;;) {
      const n = await q.get();
      if (n === null) return;
      const c0 = threadCpuNs();
      for (let i = 0; i < n; i++) await q.get();
      await done.put((threadCpuNs() - c0) / 1e6);
    }
  },
  pipeSink: async (conn) => {
    conn.send('ready');
    for (;;) {
      const n = await conn.recv();
      if (n === null) return;
      const c0 = threadCpuNs();
      for (let i = 0; i < n; i++) await conn.recv();
      conn.send((threadCpuNs() - c0) / 1e6);
    }
  },
});
