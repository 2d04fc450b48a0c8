// JoinableQueue.taskDone() counts against the queue's unfinished tasks wherever it is called, as
// Python's task_done(): a worker may mark done items that the main thread or another worker got,
// and only a call past the queue's count (not a copy's) is refused with ValidationError.
import { JoinableQueue, Queue, ValidationError } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { core, killProcesses, startProcess } from './core.js';
import { managerTestKit } from './manager-kit.js';

const { tasks } = await import(new URL('./fixtures/task-done-tasks.mjs', import.meta.url).href);

const pools: any[] = [];
function pool(context: string): any {
  const p = new core.Pool({ processes: 2, context });
  pools.push(p);
  return p;
}
afterEach(async () => {
  killProcesses();
  for (const p of pools.splice(0)) await p.terminate();
});

const { manager } = managerTestKit();

async function filled(n: number, get: number): Promise<JoinableQueue<number>> {
  const jq = new JoinableQueue<number>();
  for (let i = 0; i < n; i++) await jq.put(i);
  for (let i = 0; i < get; i++) await jq.get();
  return jq;
}

describe.each(matrix(import.meta.url))('JoinableQueue.taskDone() in a worker (%s)', (context) => {
  it('marks done items the main thread got, and join() then returns', async () => {
    const jq = await filled(3, 3);
    expect(await pool(context).apply(tasks.markDone, [jq, 3])).toEqual({ done: 3, error: null });
    await jq.join();
    expect(() => jq.taskDone()).toThrow(ValidationError);
  });

  it('marks done items another worker got, and join() then returns', async () => {
    const jq = await filled(3, 0);
    const p = pool(context);
    expect(await p.apply(tasks.take, [jq, 3])).toEqual([0, 1, 2]);
    expect(await p.apply(tasks.markDone, [jq, 3])).toEqual({ done: 3, error: null });
    await jq.join();
  });

  it('is refused with ValidationError past the queue count, which never goes below zero', async () => {
    const jq = await filled(2, 2);
    expect(await pool(context).apply(tasks.markDone, [jq, 3])).toEqual({ done: 2, error: 'MP_VALIDATION' });
    await jq.join();
    // The refused call took nothing off: the next item is unfinished until marked done.
    await jq.put(9);
    let joined = false;
    const join = jq.join().then(() => {
      joined = true;
    });
    expect(await jq.get()).toBe(9);
    await new Promise((r) => setImmediate(r));
    expect(joined).toBe(false);
    jq.taskDone();
    await join;
  });

  it("is refused with ValidationError past the count after the queue's maker ended", async () => {
    // Python's semaphore outlives the process that made the queue: task_done() past the items put
    // raises ValueError there too. A copy here got one of the two items before the maker ended.
    const out = new Queue<JoinableQueue<number>>();
    const go = new Queue<number>();
    const p = startProcess(context as 'thread' | 'process', tasks.makeAndEnd, [out, go, 2]);
    const jq = await out.get();
    expect(await jq.get()).toBe(0);
    await go.put(1);
    await p.join();
    expect(p.exitCode).toBe(0);
    const results: string[] = [];
    for (let i = 0; i < 3; i++) {
      try {
        jq.taskDone();
        results.push('ok');
      } catch (err) {
        expect(err).toBeInstanceOf(ValidationError);
        results.push((err as ValidationError).code);
      }
    }
    // The item got here is marked done; the other one only where the count is still reachable.
    expect(results[0]).toBe('ok');
    expect(results.filter((r) => r === 'ok').length).toBeLessThanOrEqual(2);
    expect(results[2]).toBe('MP_VALIDATION');
  });

  it('a manager JoinableQueue counts taskDone() from any process alike', async () => {
    const m = await manager();
    const jq = m.JoinableQueue<number>();
    for (const n of [1, 2]) await jq.put(n);
    await jq.get();
    await jq.get();
    expect(await pool(context).apply(tasks.markDone, [jq, 3])).toEqual({ done: 2, error: 'MP_VALIDATION' });
    await jq.join();
  });
});
