// A Node EventEmitter given to a task (an HTTP request from a server's handler, a file stream,
// process.stdout) is refused at the sender, naming the argument and what to send instead. Before,
// one without listeners arrived as a plain object of its fields (`req.on is not a function` in the
// task), and one with listeners was refused deep inside with advice about task references
// (`args[0].socket._events.close[0]: it is a function ... pass a task reference`).
import { EventEmitter, once } from 'node:events';
import { createServer, get, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { SerializationError } from '@multiproc/core';
import { Pipe } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks as t } from './fixtures/host-object-tasks.mjs';
import { ownedWorkers, serializationFailure } from './helpers.ts';

const own = ownedWorkers();
let server: ReturnType<typeof createServer> | undefined;
afterEach(() => {
  server?.closeAllConnections();
  server?.close();
  server = undefined;
});

/** The error a pool call given the request of a real HTTP request rejects with, answered as its body. */
async function requestArgumentFailure(call: (req: IncomingMessage) => Promise<unknown>): Promise<unknown> {
  let failure: unknown;
  server = createServer((req, res) => {
    call(req).then(
      () => res.end('sent'),
      (err: unknown) => {
        failure = err;
        res.end('refused');
      },
    );
  }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/job', agent: false }, (res) => {
      res.resume();
      res.on('end', resolve);
    }).on('error', reject);
  });
  return failure;
}

describe.each(matrix(import.meta.url))('Node EventEmitters in the %s context', (context) => {
  it('a pool call given an HTTP request or a stream rejects naming the argument; the pool lives on', {
    timeout: 20_000,
  }, async () => {
    const pool = own.pool({ processes: 1, context });
    const err = await serializationFailure(
      requestArgumentFailure((req) => pool.apply(t.tag, [req])).then((e) => Promise.reject(e)),
    );
    expect(err.path).toBe('args[0]');
    expect(err.message).toContain('IncomingMessage');
    expect(err.message).toContain('EventEmitter');
    const stream = await serializationFailure(pool.apply(t.tag, [1, { body: Readable.from(['x']) }]));
    expect(stream.path).toBe('args[1].body');
    expect(stream.message).toContain('Readable');
    expect((await serializationFailure(pool.map(t.tag, [1, process.stdout]))).path).toBe('items[1]');
    expect(await pool.apply(t.echo, [7])).toBe(7);
  });

  it('Process.start() refuses one, naming the argument', { timeout: 10_000 }, async () => {
    // An emitter with no listener (a plain EventEmitter, a stream nobody reads yet) used to go through.
    const p = own.process({ target: t.tag, args: [new EventEmitter()], context });
    expect(() => p.start()).toThrow(SerializationError);
    expect(() => own.process({ target: t.tag, args: [Readable.from([])], context }).start()).toThrow(
      /Cannot send args\[0\]: it is a Readable/,
    );
    expect(() => own.process({ target: t.tag, args: [{ out: process.stdout }], context }).start()).toThrow(
      /args\[0\]\.out/,
    );
  });
});

describe('queues and pipes', () => {
  it('put() and send() refuse one naming the path; the next value still goes', {
    timeout: 10_000,
  }, async () => {
    const q = own.queue();
    expect((await serializationFailure(q.put({ body: Readable.from([]) }))).path).toBe('value.body');
    const [a, b] = Pipe();
    expect(() => a.send(process.stdout)).toThrow(SerializationError);
    a.send('next');
    expect(await b.recv()).toBe('next');
    await q.put(1);
    expect(await q.get(1000)).toBe(1);
    a.close();
    b.close();
  });
});

describe("the user's own EventEmitter subclass", () => {
  it('with no listener it is data: it arrives as a plain object of its own fields, as any class instance', {
    timeout: 10_000,
  }, async () => {
    class Job extends EventEmitter {
      id = 7;
      label = 'job';
    }
    const q = own.queue();
    await q.put({ job: new Job() });
    const got = (await q.get(2000)) as { job: Record<string, unknown> };
    expect(got.job).toMatchObject({ id: 7, label: 'job' });
    const withListener = new Job();
    withListener.on('done', () => {});
    const refused = await serializationFailure(q.put(withListener));
    expect(refused.path).toBe('value');
    expect(refused.message).toContain('a Job, a Node EventEmitter');
  });
});
