// What the pool relies on in tinypool's internals (pinned ~2.2.0), checked against the installed
// tinypool itself, so a tinypool that changes them fails here, not silently in users' programs (a
// blocking wait right after a pool call that hangs again: sync-wait-after-submit.test.ts).
//
// - `ChildBatches.relayed` (child-batches.ts): a child process worker has a `port` on which
//   tinypool's `run()` has posted the task by the time it returns, and that port's one 'message'
//   listener sends what it gets on to the child. The pool takes the task off the port and hands
//   it to that listener at once (`port.emit`), instead of a turn of the event loop later.
// - `StartQueue.startWorker` (start-queue.ts): with its queue's `size` above 0, `run()` starts a
//   worker (below `maxThreads`) and pushes the task onto the queue, even with a worker free, and a
//   queued task's `cancel()` rejects its `run()`.
import { type MessagePort, receiveMessageOnPort } from 'node:worker_threads';
import { Tinypool } from 'tinypool';
import { afterEach, describe, expect, it } from 'vitest';

const filename = new URL('./fixtures/tinypool-double.mjs', import.meta.url).href;
let pool: Tinypool | undefined;
afterEach(async () => {
  await pool?.destroy();
  pool = undefined;
});

interface ChildWorker {
  readonly port?: MessagePort;
  readonly process: { send(message: unknown, ...rest: unknown[]): boolean };
}

describe('tinypool, as the pool relies on it', () => {
  it("a child's task is on its worker's port as run() returns; its one listener sends it to the child", async () => {
    pool = new Tinypool({ runtime: 'child_process', filename, minThreads: 1, maxThreads: 1 });
    expect(await pool.run(1)).toBe(2);
    const worker = pool.threads[0] as unknown as ChildWorker;
    const port = worker.port;
    expect(port?.constructor.name).toBe('MessagePort');
    expect(port!.listenerCount('message')).toBe(1);
    const sent: unknown[] = [];
    const send = worker.process.send.bind(worker.process);
    worker.process.send = (message, ...rest) => {
      sent.push(message);
      return send(message, ...rest);
    };
    const result = pool.run(21);
    const task = receiveMessageOnPort(port!);
    expect(task).toBeDefined();
    expect(sent).toEqual([]);
    port!.emit('message', task!.message);
    expect(sent).toHaveLength(1); // sent now, in tinypool's own shape
    expect(await result).toBe(42); // which the child read and ran
  });

  it("with its queue's size above 0, run() starts a worker and queues the task, even with one free", async () => {
    type Task = { cancel(): void };
    const tasks: Task[] = [];
    const queued: Task[] = [];
    let forced = false;
    const taskQueue = {
      get size() {
        return tasks.length + (forced ? 1 : 0);
      },
      shift: () => tasks.shift() ?? null,
      push: (task: Task) => void (forced ? queued : tasks).push(task),
      remove: () => {},
      cancel: () => {},
    };
    pool = new Tinypool({ filename, minThreads: 0, maxThreads: 2, taskQueue } as never);
    expect(await pool.run(1)).toBe(2);
    expect(pool.threads).toHaveLength(1); // and free
    forced = true;
    const empty = pool.run(0);
    forced = false;
    expect(pool.threads).toHaveLength(2);
    expect(queued).toHaveLength(1);
    queued[0]!.cancel();
    await expect(empty).rejects.toThrow(/cancelled/);
    expect(await pool.run(5)).toBe(10); // a free worker still takes a task at once
  });
});
