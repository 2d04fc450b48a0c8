// Task module of bytes-cpu.mjs: the child end receives n messages and answers its own CPU time.
import { defineTasks } from '@multiproc/multiproc';

export const tasks = defineTasks(import.meta.url, {
  sink: async (conn) => {
    conn.send('ready');
    for (;;) {
      const n = await conn.recv();
      if (n === null) return;
      const c0 = process.cpuUsage();
      const f0 = process.resourceUsage().minorPageFault;
      let bytes = 0;
      for (let i = 0; i < n; i++) bytes += (await conn.recvBytes()).length;
      const c = process.cpuUsage(c0);
      conn.send({
        cpu: c.user + c.system,
        sys: c.system,
        faults: process.resourceUsage().minorPageFault - f0,
        bytes,
      });
    }
  },
});
