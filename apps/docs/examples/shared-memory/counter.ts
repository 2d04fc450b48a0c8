// counter.ts: two threads add to one shared Value, without and with its Lock.
import { defineTasks, isMain, Process, Value } from '@multiproc/multiproc';

export const tasks = defineTasks(import.meta.url, {
  addUnlocked: (counter: Value<'i'>, times: number) => {
    for (let i = 0; i < times; i++) counter.value += 1; // read, add, write: not atomic
  },
  addLocked: (counter: Value<'i'>, times: number) => {
    const lock = counter.getLock();
    for (let i = 0; i < times; i++) {
      lock.acquireSync(); // a blocking acquire is fine inside a worker's hot loop
      try {
        counter.value += 1;
      } finally {
        lock.release();
      }
    }
  },
});

async function race(task: typeof tasks.addLocked, times: number): Promise<number> {
  const counter = new Value('i', 0);
  const workers = [1, 2].map(() => new Process({ target: task, args: [counter, times] }));
  try {
    for (const w of workers) w.start();
    for (const w of workers) await w.join();
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return counter.value;
}

if (isMain()) {
  const times = 200_000;
  const unlocked = await race(tasks.addUnlocked, times);
  console.log(`without the lock: ${unlocked <= 2 * times ? 'at most' : 'over'} ${2 * times}`);
  console.log('with the lock:', await race(tasks.addLocked, times));
}

// Without the lock the total is usually short: updates of one thread overwrite the other's.
// Output:
// without the lock: at most 400000
// with the lock: 400000
