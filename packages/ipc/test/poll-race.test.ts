// A poll() or wait() that waits beside a recv()/get() on the same copy is told when a message
// arrives, though the recv() takes it at once: Python's poll() in one thread returns True once the
// fd became readable while another thread's recv() takes the message. Before, poll(ms) said false
// only after its whole timeout, and poll(null) and wait() waited on while the peer lived.
import { type Connection, MessageTooLongError, Pipe, ProcessError, Queue, wait } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { killProcesses, startProcess } from './core.js';
import { bounded } from './helpers.js';

const { tasks } = await import(new URL('./fixtures/poll-race-tasks.mjs', import.meta.url).href);
const { tasks: common } = await import(new URL('./fixtures/tasks.mjs', import.meta.url).href);

afterEach(killProcesses);

// A wait that should end at once and is still waiting after STUCK_MS is stuck (see helpers.ts).

const watchers = {
  poll: (c: Connection) => c.poll(20_000),
  pollNull: (c: Connection) => c.poll(null),
  wait: (c: Connection) => wait([c]).then((r) => r.length === 1 && r[0] === c),
};

describe('in the pipe’s own thread', () => {
  it.each(Object.keys(watchers) as (keyof typeof watchers)[])(
    '%s beside a waiting recv() says a message came',
    async (how) => {
      const [a, b] = Pipe<number>();
      const watched = watchers[how](b);
      const got = b.recv();
      a.send(5);
      expect(await bounded(got)).toBe(5);
      expect(await bounded(watched)).toBe(true);
      a.close();
      b.close();
    },
    20_000,
  );

  it('wait() over two connections and a queue reports the one whose get took the item', async () => {
    const [a, b] = Pipe<number>();
    const [c, d] = Pipe<number>();
    const q = new Queue<number>();
    const watched = wait([b, d, q]);
    const got = q.get();
    await q.put(7);
    expect(await bounded(got)).toBe(7);
    expect(await bounded(watched)).toEqual([q]);
    for (const x of [a, b, c, d, q]) x.close();
  }, 20_000);

  it('a for await reader beside poll(null): each message wakes the poll, the loop ends at EOF', async () => {
    const [a, b] = Pipe<number>();
    const seen: number[] = [];
    const loop = (async () => {
      for await (const v of b) seen.push(v);
    })();
    for (const n of [1, 2, 3]) {
      const polled = b.poll(null);
      a.send(n);
      expect(await bounded(polled)).toBe(true);
    }
    a.close();
    await bounded(loop);
    expect(seen).toEqual([1, 2, 3]);
    b.close();
  }, 20_000);

  it('poll(null) beside a recvBytes(maxlength) that refuses the message says true', async () => {
    const [a, b] = Pipe();
    const polled = b.poll(null);
    const got = b.recvBytes(2);
    a.sendBytes(new Uint8Array(10));
    await expect(bounded(got)).rejects.toBeInstanceOf(MessageTooLongError);
    expect(await bounded(polled)).toBe(true);
    a.close();
    b.close();
  }, 20_000);

  it('poll(null) begun after a refused message was taken rejects once the end stops receiving', async () => {
    const [a, b] = Pipe();
    const got = b.recvBytes(2);
    a.sendBytes(new Uint8Array(10)); // handed to the waiting recvBytes() now, checked a moment later
    const late = b.poll(null);
    const settled = bounded(late).then(
      (v) => v,
      (err: unknown) => err,
    );
    await expect(bounded(got)).rejects.toBeInstanceOf(MessageTooLongError);
    expect(await settled).toBeInstanceOf(ProcessError);
    a.close();
    b.close();
  }, 20_000);
});

describe.each(matrix(import.meta.url))('in a %s worker (a copy)', (context) => {
  it.each(['poll', 'pollNull', 'wait'])(
    '%s beside a waiting recv() says a message came',
    async (how) => {
      const [a, b] = Pipe<number>();
      const [outR, outW] = Pipe({ duplex: false });
      startProcess(context, tasks.pollWhileRecv, [b, outW, how]);
      b.close();
      outW.close();
      expect(await bounded(outR.recv())).toBe('waiting');
      a.send(5);
      expect(await bounded(outR.recv())).toEqual([5, true]);
      a.close();
      outR.close();
    },
    30_000,
  );

  it('wait([q]) beside a waiting get() says an item came', async () => {
    const q = new Queue<number>();
    const [outR, outW] = Pipe({ duplex: false });
    startProcess(context, tasks.waitWhileGet, [q, outW]);
    outW.close();
    expect(await bounded(outR.recv())).toBe('waiting');
    await q.put(9);
    expect(await bounded(outR.recv())).toEqual([9, true]);
    q.close();
    outR.close();
  }, 30_000);

  it('wait([q]) here beside a waiting get() says the item the worker put came', async () => {
    const q = new Queue<[number, number]>();
    const watched = wait([q]);
    const got = q.get();
    startProcess(context, common.produce, [q, 3, 1]);
    expect(await bounded(got)).toEqual([3, 0]);
    expect(await bounded(watched)).toEqual([q]);
    q.close();
  }, 30_000);
});
