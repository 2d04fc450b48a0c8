// Python's spellings of the queue calls: `Queue(10)` (a positional maxsize) works as in Python and
// as a manager's `Queue(10)` does; `SimpleQueue.get()` takes no argument in Python, so a timeout
// given to it is refused rather than ignored (it used to wait for an item regardless).
import { JoinableQueue, Pipe, Queue, QueueFullError, SimpleQueue, ValidationError } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';

describe('Python spellings of the queue calls', () => {
  it('new Queue(2) and new JoinableQueue(2) take the number as maxsize; 0 or less is unbounded', async () => {
    for (const q of [new Queue<number>(2), new JoinableQueue<number>(2)]) {
      expect(q.maxsize).toBe(2);
      await q.put(1);
      await q.put(2);
      await expect(q.put(3, { block: false })).rejects.toBeInstanceOf(QueueFullError);
      expect(await q.get()).toBe(1);
      q.close();
    }
    const unbounded = new Queue(0);
    expect(unbounded.maxsize).toBe(0);
    unbounded.close();
    expect(() => new Queue(1.5)).toThrow(ValidationError);
  });

  it.each([[100], [{ timeout: 100 }], [{ block: false }], ['x']])(
    'SimpleQueue.get(%j) rejects with ValidationError naming Queue, and takes no item',
    async (arg) => {
      const sq = new SimpleQueue<string>();
      await sq.put('kept');
      const err = await (sq.get as (...args: unknown[]) => Promise<string>)(arg).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as Error).message).toMatch(/takes no argument.*use a Queue/);
      expect(await sq.get()).toBe('kept');
      sq.close();
    },
  );

  it.each([[100], [{ timeout: 100 }], [null]])(
    'Connection.recv(%j) rejects with ValidationError naming poll(), and takes no value (it used to wait regardless)',
    async (arg) => {
      const [a, b] = Pipe<string>();
      a.send('kept');
      const err = await (b.recv as (...args: unknown[]) => Promise<string>)(arg).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as Error).message).toMatch(/recv\(\) takes no argument.*poll\(ms\)/);
      expect(await b.recv()).toBe('kept');
      a.close();
      b.close();
    },
  );
});
