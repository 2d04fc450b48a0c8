// Tasks of ring-wake.mjs: the bench's ByteChannel sink, answering this thread's CPU time and
// run-queue wait (ns), its time slices, and the process's minor page faults while it read.
import { defineTasks } from '@multiproc/multiproc';
import { threadStat } from './thread-cpu.mjs';

export const tasks = defineTasks(import.meta.url, {
  channelSink: (data, answers, reuse) => {
    answers.writeSync(new Uint8Array(8));
    const opts = reuse ? { into: new Uint8Array(data.capacity) } : undefined;
    for (;;) {
      const head = data.readSync();
      if (head === null) return;
      const n = new DataView(head.buffer, head.byteOffset, 4).getInt32(0, true);
      const s0 = threadStat();
      const f0 = process.resourceUsage().minorPageFault;
      for (let i = 0; i < n; i++) data.readSync(opts);
      const s = threadStat();
      const faults = process.resourceUsage().minorPageFault - f0;
      const answer = [s.cpu - s0.cpu, s.wait - s0.wait, s.slices - s0.slices, faults];
      answers.writeSync(new Uint8Array(new Float64Array(answer).buffer));
    }
  },
});
