// A Connection made by Client() moves to a worker like an accepted one or a Pipe() end: passed as
// an argument, through a queue, or back from a worker, in both contexts, over Unix and TCP. Each
// copy dials the home's broker in the listener's program; the parent closing its copy after
// start() leaves the worker's open, and the server sees EOF once the worker ends.
import net from 'node:net';
import { Client, EOFError, type Listener, Queue, SerializationError } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { core } from './core.js';
import { cleanup, listen } from './net-kit.js';

const { tasks } = await import(new URL('./fixtures/net-tasks.mjs', import.meta.url).href);

function start(target: unknown, args: unknown[], context: string) {
  const p = new core.Process({ target, args, context });
  cleanup.push(() => p.isAlive() && p.kill());
  p.start();
  return p;
}

const places: [string, () => Listener][] = [
  ['Unix', () => listen()],
  ['TCP', () => listen(['127.0.0.1', 0])],
];

describe.each(matrix(import.meta.url))('a Client() connection in a %s worker', (context) => {
  it.each(places)(
    'passed as an argument over %s, it talks to the server, and the server sees EOF when the worker ends',
    async (_, make) => {
      const l = make();
      const accepted = l.accept();
      const c = await Client(await l.ready());
      const s = await accepted;
      const p = start(tasks.replyOnce, [c], context);
      c.close(); // Python's idiom: the parent drops its copy after start()
      s.send('from-server');
      expect(await s.recv()).toBe('reply to from-server');
      await p.join();
      expect(p.exitCode).toBe(0);
      await expect(s.recv()).rejects.toBeInstanceOf(EOFError);
    },
    20_000,
  );

  it('made in the worker and handed back through a queue, it reaches the server', async () => {
    const l = listen();
    const out = new Queue<unknown>();
    const accepted = l.accept();
    const p = start(tasks.dialAndHand, [l.address, out], context);
    const c = (await out.get()) as Awaited<ReturnType<typeof Client>>;
    const s = await accepted;
    expect(await s.recv()).toBe('hello from the worker');
    s.send('to the parent');
    expect(await c.recv()).toBe('to the parent');
    await p.join();
    c.send('still open after the worker ended');
    expect(await s.recv()).toBe('still open after the worker ended');
    c.close();
    await expect(s.recv()).rejects.toBeInstanceOf(EOFError);
  }, 20_000);
});

describe('a Client() connection whose home cannot be reached from here', () => {
  it('refuses to be sent with SerializationError naming the argument', async () => {
    // A listener that names a broker this machine does not have (as one on another machine does).
    const server = net.createServer((socket) => {
      const hello = Buffer.from(
        JSON.stringify({ path: '/nonexistent/mp-x.sock', id: 1, end: 1, token: 't' }),
      );
      const len = Buffer.alloc(4);
      len.writeUInt32BE(hello.length);
      socket.write(Buffer.concat([len, hello]));
    });
    cleanup.push(() => server.close());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as net.AddressInfo;
    const c = await Client(['127.0.0.1', port]);
    cleanup.push(() => c.close());
    const p = new core.Process({ target: tasks.replyOnce, args: [c], context: 'process' });
    const err = (() => {
      try {
        p.start();
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(SerializationError);
    expect((err as SerializationError).path).toBe('args[0]');
  }, 10_000);
});
