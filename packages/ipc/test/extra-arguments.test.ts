// Every queue and connection method refuses arguments it does not take, with a ValidationError
// saying what it takes (CONTRACT "Timeouts and waiting"): JavaScript drops them silently, so
// `jq.join(100)` waited without limit, `q.getNowait(1000)` did not wait, and
// `sq.put(v, { timeout: 5 })` ignored its timeout. Nothing is taken, put or sent by a refused call.
// The constructors, `Pipe()`, `wait()`, `Client()` and a Listener's methods too (bbi28):
// `listener.accept(5000)` waited for a client without limit, `new Queue(10, x)` dropped `x`.
import {
  Client,
  JoinableQueue,
  Listener,
  Pipe,
  Queue,
  SimpleQueue,
  ValidationError,
  wait,
} from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';

type Call = (...args: unknown[]) => unknown;

// Calls `method` with `args` through a loose type; gives what it threw or rejected with.
async function refusal(target: object, method: string, args: unknown[]): Promise<unknown> {
  try {
    await ((target as Record<string, Call>)[method] as Call).apply(target, args);
  } catch (err) {
    return err;
  }
  return undefined;
}

function expectRefused(err: unknown, method: string): void {
  expect(err).toBeInstanceOf(ValidationError);
  expect((err as ValidationError).code).toBe('MP_VALIDATION');
  expect((err as Error).message).toContain(`${method}() takes`);
}

describe('extra arguments', () => {
  it.each([
    ['put', ['v', { timeout: 5 }, 'extra']],
    ['putNowait', ['v', 1000]],
    ['get', [{ timeout: 5 }, 'extra']],
    ['getNowait', [1000]],
    ['qsize', [1]],
    ['empty', [1]],
    ['full', [1]],
    ['close', [1]],
    ['joinThread', [100]],
    ['cancelJoinThread', [1]],
  ])('Queue.%s refuses %j', async (method, args) => {
    const q = new Queue<string>();
    await q.put('kept');
    expectRefused(await refusal(q, method, args), `Queue.${method}`);
    expect(q.qsize()).toBe(1);
    expect(await q.get()).toBe('kept');
    q.close();
  });

  it.each([
    ['join', [100]],
    ['taskDone', [1]],
  ])('JoinableQueue.%s refuses %j (join(100) used to wait without limit)', async (method, args) => {
    const jq = new JoinableQueue<string>();
    await jq.put('job');
    expectRefused(await refusal(jq, method, args), `JoinableQueue.${method}`);
    await jq.get();
    jq.taskDone(); // the refused taskDone() marked nothing: this one marks the only task
    await jq.join();
    jq.close();
  });

  it.each([
    ['put', ['v', { timeout: 5 }]],
    ['get', [5]],
    ['empty', [1]],
    ['close', [1]],
  ])('SimpleQueue.%s refuses %j', async (method, args) => {
    const sq = new SimpleQueue<string>();
    expectRefused(await refusal(sq, method, args), `SimpleQueue.${method}`);
    expect(sq.empty()).toBe(true);
    sq.close();
  });

  it.each([
    ['send', ['v', 'w']],
    ['sendBytes', [new Uint8Array(2), 0, 1, 'extra']],
    ['recv', [100]],
    ['recvBytes', [10, 'extra']],
    ['recvBytesInto', [new Uint8Array(8), 0, 'extra']],
    ['poll', [10, 'extra']],
    ['close', [1]],
  ])('Connection.%s refuses %j', async (method, args) => {
    const [a, b] = Pipe();
    a.sendBytes(new Uint8Array([1, 2]));
    expectRefused(await refusal(method.startsWith('send') ? a : b, method, args), `Connection.${method}`);
    expect(await b.poll()).toBe(true);
    expect(await b.recvBytes()).toEqual(new Uint8Array([1, 2]));
    expect(a.closed || b.closed).toBe(false);
    a.close();
    b.close();
  });

  it.each<[string, unknown[], (...args: unknown[]) => unknown]>([
    ['new Queue', [1, 'extra'], (...a) => new (Queue as any)(...a)],
    ['new JoinableQueue', [{ maxsize: 1 }, 'extra'], (...a) => new (JoinableQueue as any)(...a)],
    ['new SimpleQueue', [{}, 'extra'], (...a) => new (SimpleQueue as any)(...a)],
    ['Pipe', [{ duplex: false }, 'extra'], (...a) => (Pipe as any)(...a)],
    ['wait', [[], 10, 'extra'], (...a) => (wait as any)(...a)],
    ['new Listener', [undefined, {}, 'extra'], (...a) => new (Listener as any)(...a)],
  ])('%s() refuses %j', async (name, args, call) => {
    const err = await (async () => call(...args))().then(
      () => undefined,
      (e: unknown) => e,
    );
    expectRefused(err, name);
  });

  it.each([
    ['accept', [5000]],
    ['ready', [1]],
    ['close', [1]],
  ])('Listener.%s refuses %j, and the listener still accepts', { timeout: 10_000 }, async (method, args) => {
    // accept(5000) waited for a client without limit: Python's accept() takes no timeout either.
    const listener = new Listener();
    try {
      expectRefused(await refusal(listener, method, args), `Listener.${method}`);
      const client = Client(listener.address);
      const conn = await listener.accept();
      expectRefused(await refusal({ Client }, 'Client', [listener.address, {}, 'extra']), 'Client');
      (await client).send('still listening');
      expect(await conn.recv()).toBe('still listening');
    } finally {
      listener.close();
    }
  });

  it('wait() names the item it cannot wait on', async () => {
    const [a] = Pipe();
    const err = await (wait as (...args: unknown[]) => Promise<unknown>)([a, 5]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).message).toContain('objects[1] is the number 5');
    a.close();
  });

  it('the forms each method takes still work', async () => {
    const q = new Queue<number>({ maxsize: 1 });
    await q.put(1, { timeout: 10 });
    await expect(q.get(10)).resolves.toBe(1);
    const [a, b] = Pipe();
    a.sendBytes(new Uint8Array([1, 2, 3]), 1, 1);
    await expect(b.poll(1000)).resolves.toBe(true);
    await expect(b.recvBytesInto(new Uint8Array(4), 1)).resolves.toBe(1);
    for (const c of [q, a, b]) c.close();
  });
});
