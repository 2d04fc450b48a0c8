// Tasks of ring-cpu.mjs: the bench's ByteChannel sink, answering this thread's CPU time (ns).
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
      for (let i = 0; i < n; i++) data.readSync(opts);
      const s = threadStat();
      answers.writeSync(new Uint8Array(new Float64Array([s.cpu - s0.cpu, s.wait - s0.wait]).buffer));
    }
  },
});
