// process-lock.ts: the Python docs' Lock example with child processes: getContext('process')
// gives process-safe primitives (proxies of a manager started on first use).
import { defineTasks, getContext, isMain, type LockProxy, type ValueProxy } from '@multiproc/multiproc';

export const tasks = defineTasks(import.meta.url, {
  async f(l: LockProxy, i: number, count: ValueProxy) {
    await l.withLock(async () => {
      await count.set((await count.get()) + 1); // a read-modify-write: safe under the lock
      console.log('hello world', i);
    });
  },
});

if (isMain()) {
  const ctx = getContext('process');
  const lock = ctx.Lock(); // Python: lock = Lock()
  const count = ctx.Value('i', 0);
  const ps = [0, 1, 2].map((num) => new ctx.Process({ target: tasks.f, args: [lock, num, count] }));
  for (const p of ps) p.start();
  for (const p of ps) await p.join();
  console.log('count', await count.get());
}

// Output (any order):
// hello world 0
// hello world 1
// hello world 2
// count 3
