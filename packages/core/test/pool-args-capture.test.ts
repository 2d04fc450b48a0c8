// A pool call takes the copies of the queues and pipe ends among its arguments when it is made,
// as `Process.start()` does, even when it then waits for a worker or for room in the queue: the
// caller may close its own copy right after the call (Python's parent closes only its handle).
import { Pipe, Queue } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks as t } from './fixtures/args-capture-tasks.mjs';
import { poolMaker } from './helpers.ts';

const makePool = poolMaker();

describe.each(['thread', 'process'] as const)('pool call arguments taken at the call (%s)', (context) => {
  it('apply then closing the pipe end passed keeps the task copy: it receives, then EOF', {
    timeout: 60_000,
  }, async () => {
    const pool = makePool({ processes: 1, context });
    await pool.apply(t.sleep, [1]); // warm: the call is queued at once
    const [a, b] = Pipe();
    const result = pool.apply(t.recvAll, [b]);
    b.close();
    a.send(1);
    a.send(2);
    a.close();
    expect(await result).toEqual([[1, 2], 'EOFError']);
  });

  it('apply waiting behind a busy worker, then the pipe end closed, still gets its copy', {
    timeout: 60_000,
  }, async () => {
    const pool = makePool({ processes: 1, context });
    const busy = pool.apply(t.sleep, [300]);
    const [a, b] = Pipe();
    const result = pool.apply(t.recvAll, [b]);
    b.close();
    a.send('x');
    a.close();
    expect(await busy).toBe(300);
    expect(await result).toEqual([['x'], 'EOFError']);
  });

  it('apply waiting for room (maxQueue full), then the queue closed, still puts on it', {
    timeout: 60_000,
  }, async () => {
    const pool = makePool({ processes: 1, context, maxQueue: 1 });
    const first = pool.apply(t.sleep, [200]);
    const second = pool.apply(t.sleep, [1]);
    const q = new Queue<string>();
    const result = pool.apply(t.put, [q, 'kept']);
    void q.close();
    expect(await Promise.all([first, second, result])).toEqual([200, 1, 'kept']);
  });

  it('applyAsync then closing the pipe end passed keeps the task copy', { timeout: 60_000 }, async () => {
    const pool = makePool({ processes: 1, context });
    const [a, b] = Pipe();
    const result = pool.applyAsync(t.recvAll, [b]);
    b.close();
    a.send(3);
    a.close();
    expect(await result.get(30_000)).toEqual([[3], 'EOFError']);
  });
});
