// A manager itself cannot be sent: structured clone would copy none of it, and the other side got
// `{}` (then `m.dict is not a function`). Putting one on a queue or sending it on a connection is
// refused at the send with a SerializationError naming its path; its proxies still travel.
// (A manager given to a pool task or a Process: core's test/host-bound-objects.test.ts.)
import { BaseManager, Manager, Pipe, Queue } from '@multiproc/ipc';
import { SerializationError } from '@multiproc/shared';
import { describe, expect, it } from 'vitest';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('a manager sent', () => {
  it('is refused naming its path; its proxies travel', { timeout: 10_000 }, async () => {
    const m = Manager();
    const base = new BaseManager();
    const q = new Queue();
    const [a, b] = Pipe();
    try {
      const onQueue = thrown(() => q.putNowait({ m }));
      expect(onQueue).toBeInstanceOf(SerializationError);
      expect((onQueue as SerializationError).path).toBe('value.m');
      expect((onQueue as SerializationError).message).toMatch(/a manager.*its proxies/);
      const onPipe = thrown(() => a.send([base]));
      expect(onPipe).toBeInstanceOf(SerializationError);
      expect((onPipe as SerializationError).path).toBe('value[0]');
      const d = m.dict<string, number>();
      await d.set('n', 1);
      a.send({ d });
      const got = (await b.recv()) as { d: typeof d };
      expect(await got.d.get('n')).toBe(1);
    } finally {
      a.close();
      b.close();
      q.close();
      m.shutdown();
    }
  });
});
