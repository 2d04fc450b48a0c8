// Names other JavaScript queues give a queue's members (an array's length, p-queue's size, push,
// shift, for await), read on a multiproc queue: they were undefined (`if (q.size > 0)` silently
// false) or "q is not async iterable"; each now throws ValidationError naming what to write.
import { JoinableQueue, Queue, SimpleQueue, ValidationError } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';

function refusal(read: () => unknown): ValidationError {
  let err: unknown;
  try {
    read();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ValidationError);
  expect((err as ValidationError).code).toBe('MP_VALIDATION');
  return err as ValidationError;
}

describe.each([
  ['Queue', () => new Queue<number>()],
  ['JoinableQueue', () => new JoinableQueue<number>()],
  ['SimpleQueue', () => new SimpleQueue<number>()],
])('a %s read with another queue’s names', (_, make) => {
  it('size and length name qsize(); push and shift name put() and get()', () => {
    const q = make() as any;
    try {
      expect(refusal(() => q.size).message).toContain('qsize()');
      expect(refusal(() => q.length).message).toContain('qsize()');
      for (const name of ['push', 'add', 'enqueue']) expect(refusal(() => q[name]).message).toContain('put(');
      for (const name of ['shift', 'pop', 'dequeue'])
        expect(refusal(() => q[name]).message).toContain('get()');
    } finally {
      q.close();
    }
  });

  it('for await over it says to loop on get() or use a Pipe', async () => {
    const q = make() as any;
    try {
      const err = await (async () => {
        for await (const _ of q) return undefined;
      })().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as Error).message).toContain('q.get()');
      await q.put(1);
      expect(await q.get()).toBe(1); // the queue still works
    } finally {
      q.close();
    }
  });
});
