// The rule of the pool's task queue for a worker's ready turn, driven in the order that made a
// replacement run no initializer (about 1 run in 50 of `pool-initializer-late`, process context,
// one core busy): the pool had queued empty batches (posted only to make tinypool start workers)
// ahead of a call. The queue saw "a call waits" and posted no start, the worker took the empty
// batch (no initializer), another worker took the call, and the worker was stopped at `join()`
// never having run the initializer. The worker gets a start unless a call is first in line.
import { EventEmitter } from 'node:events';
import type { Task } from 'tinypool';
import { describe, expect, it } from 'vitest';
import { StartQueue } from '../src/pool/start-queue.ts';
import type { TinypoolWorker } from '../src/pool/watch-worker.ts';

const task = (channel?: object): Task => ({ channel, cancel() {} }) as unknown as Task;
const emptyBatch = () => task();
const call = () => task({ start: false });

/** A queue holding `queued`, and a worker whose ready turn it watches; counts the starts it posts. */
function readyTurn(queued: Task[]) {
  const queue = new StartQueue();
  for (const t of queued) queue.push(t);
  let posted = 0;
  queue.onReady = () => posted++;
  const thread = new EventEmitter();
  queue.watch({ thread } as unknown as TinypoolWorker);
  // What tinypool does in that turn: the worker takes the task the queue hands it.
  let taken: Task | null = null;
  thread.on('message', () => {
    taken = queue.shift();
  });
  thread.emit('message', { ready: true });
  return { posted, taken };
}

describe("a worker's ready turn", () => {
  it('posts a start when an empty batch is ahead of a waiting call', () => {
    expect(readyTurn([emptyBatch(), call(), emptyBatch()]).posted).toBe(1);
  });

  it('posts a start when only empty batches wait', () => {
    expect(readyTurn([emptyBatch(), emptyBatch()]).posted).toBe(1);
  });

  it('posts none when a call is first in line: the worker takes it and initializes with it', () => {
    const first = call();
    const turn = readyTurn([first, emptyBatch()]);
    expect(turn.posted).toBe(0);
    expect(turn.taken).toBe(first);
  });
});
