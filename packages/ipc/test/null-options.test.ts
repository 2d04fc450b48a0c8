// Python users write None for "not given": queue, pipe and manager options, and sendBytes' and
// recvBytesInto's optional arguments, take `null` where they take `undefined`.
import { JoinableQueue, Manager, Pipe, Queue, SimpleQueue, ValidationError } from '@multiproc/ipc';
import { expect, it } from 'vitest';

it('Queue, JoinableQueue, SimpleQueue and Pipe take their options as null', { timeout: 10_000 }, async () => {
  const q = new Queue<number>({ maxsize: null, schema: null });
  await q.put(1, { timeout: null });
  expect(await q.get({ timeout: null })).toBe(1);
  q.close();
  const jq = new JoinableQueue<number>({ maxsize: null });
  jq.putNowait(2);
  expect(jq.getNowait()).toBe(2);
  jq.taskDone();
  await jq.join();
  jq.close();
  const sq = new SimpleQueue<number>({ schema: null });
  await sq.put(3);
  expect(await sq.get()).toBe(3);
  sq.close();
  const [a, b] = Pipe({ duplex: null, schema: null });
  a.sendBytes(new Uint8Array([1, 2, 3]), null, null);
  expect(await b.recvBytes()).toEqual(new Uint8Array([1, 2, 3]));
  a.sendBytes(new Uint8Array([4, 5]), 1, null);
  const into = new Uint8Array(2);
  expect(await b.recvBytesInto(into, null)).toBe(1);
  expect(into).toEqual(new Uint8Array([5, 0]));
  // A value of the wrong type is still refused next to a null.
  expect(() => new Queue({ maxsize: 'x' as never, schema: null })).toThrow(ValidationError);
  a.close();
  b.close();
});

it("a manager's options and its Barrier's take null", { timeout: 10_000 }, async () => {
  const manager = Manager({ address: null, authkey: null });
  try {
    const barrier = manager.Barrier(1, { action: null, timeout: null });
    expect(await barrier.wait()).toBe(0);
  } finally {
    await manager.shutdown();
  }
});
