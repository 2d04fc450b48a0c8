// Python's `with X() as x:` is `using x = …` here for everything that closes synchronously (a
// Listener, a Connection, the queues, a manager), and `await using` works on each of them too.
import * as ipc from '@multiproc/ipc';
import { BaseManager, ClosedError, Listener, Manager, ManagerClosedError, Pipe, Queue } from '@multiproc/ipc';
import * as shared from '@multiproc/shared';
import { describe, expect, it } from 'vitest';

/** The exported classes whose instances close (`close()`) or stop (`shutdown()`). */
function closeableClasses(): [string, { prototype: object }][] {
  return Object.entries({ ...shared, ...ipc }).filter(
    ([name, value]) =>
      /^[A-Z]/.test(name) &&
      typeof value === 'function' &&
      value.prototype !== undefined &&
      ('close' in value.prototype || 'shutdown' in value.prototype),
  ) as [string, { prototype: object }][];
}

describe('using and await using', () => {
  it('every closeable class of ipc and shared has both forms', () => {
    const classes = closeableClasses();
    expect(classes.map(([name]) => name)).toEqual(
      expect.arrayContaining([
        'Listener',
        'Connection',
        'Queue',
        'SimpleQueue',
        'JoinableQueue',
        'BaseManager',
      ]),
    );
    const missing = classes.flatMap(([name, cls]) => [
      ...(typeof (cls.prototype as Record<symbol, unknown>)[Symbol.dispose] === 'function'
        ? []
        : [`${name} dispose`]),
      ...(typeof (cls.prototype as Record<symbol, unknown>)[Symbol.asyncDispose] === 'function' ||
      typeof (cls.prototype as Record<symbol, unknown>)[Symbol.dispose] === 'function'
        ? []
        : [`${name} asyncDispose`]),
    ]);
    expect(missing).toEqual([]);
  });

  it('using closes a Listener at the end of the block (Python: with Listener() as listener)', async () => {
    let outer: Listener;
    {
      using listener = new Listener();
      outer = listener;
      const client = ipc.Client(listener.address);
      const conn = await listener.accept();
      (await client).send('hi');
      expect(await conn.recv()).toBe('hi');
      conn.close();
      (await client).close();
    }
    await expect(outer.accept()).rejects.toBeInstanceOf(ClosedError);
  });

  it('await using closes a Listener too', async () => {
    let outer: Listener;
    {
      await using listener = new Listener();
      outer = listener;
    }
    await expect(outer.accept()).rejects.toBeInstanceOf(ClosedError);
  });

  it('using shuts a Manager down at the end of the block (Python: with Manager() as manager)', async () => {
    let d: ipc.DictProxy<string, number>;
    {
      using manager = Manager();
      d = manager.dict<string, number>();
      await d.set('a', 1);
      expect(await d.get('a')).toBe(1);
    }
    await expect(d.get('a')).rejects.toBeInstanceOf(ManagerClosedError);
    const server = new BaseManager({ address: ['127.0.0.1', 0], authkey: 'k' });
    {
      using m = server;
      await m.start();
    }
    await expect(new BaseManager({ address: server.address, authkey: 'k' }).connect()).rejects.toBeInstanceOf(
      ManagerClosedError,
    );
  });

  it('using and await using close a Connection, the queues and a ByteChannel', async () => {
    const [a, b] = Pipe();
    const channel = new shared.ByteChannel({ capacity: 64 });
    const queues = [new Queue(), new ipc.SimpleQueue(), new ipc.JoinableQueue()];
    {
      using conn = a;
      using ch = channel;
      using q0 = queues[0]!;
      await using q1 = queues[1]!;
      await using q2 = queues[2]!;
      conn.send(1);
      ch.tryWrite(new Uint8Array(1));
      await Promise.all([q0.put(1), q1.put(1), q2.put(1)]);
    }
    expect(a.closed).toBe(true);
    expect(channel.closed).toBe(true);
    expect(await b.recv()).toBe(1);
    for (const q of queues) await expect(q.get()).rejects.toBeInstanceOf(ClosedError);
  });
});
