// A value whose getter (or Proxy trap) throws cannot be sent: every way of sending it throws
// SerializationError naming the part's path, with the getter's error as its cause, whichever
// fast path (JSON, plain data, the codec) would have carried it. An Error sent as a value too
// (its name, message, stack, a field, its cause or its key list): before, the send went through
// and the receiver got a SerializationError object in place of the error.
import { SerializationError } from '@multiproc/core';
import { Pipe, SimpleQueue } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { tasks } from './fixtures/pool-tasks.ts';
import { ownedWorkers } from './helpers.ts';

const own = ownedWorkers();
const boom = new Error('getter boom');
const throwBoom = (): never => {
  throw boom;
};

class QuotaError extends RangeError {
  override get name(): string {
    return throwBoom();
  }
}

/** An error whose `key` is a getter that throws (on the error itself). */
const errorWith = (key: string, enumerable = false) =>
  Object.defineProperty(new TypeError('the error'), key, { get: throwBoom, enumerable });
const shapes = [
  [
    'a getter',
    () => ({
      a: 1,
      get bad() {
        throw boom;
      },
    }),
    'bad',
  ],
  [
    'a deep getter',
    () => ({
      a: {
        b: [
          1,
          {
            get bad() {
              throw boom;
            },
          },
        ],
      },
    }),
    'a.b[1].bad',
  ],
  [
    'a Proxy trap',
    () => ({
      p: new Proxy(
        {},
        {
          ownKeys() {
            throw boom;
          },
        },
      ),
    }),
    'p',
  ],
  ['an error whose name getter throws', () => new QuotaError('over quota'), 'name'],
  ["an error's message getter", () => ({ e: errorWith('message') }), 'e.message'],
  ["an error's stack getter", () => ({ e: errorWith('stack') }), 'e.stack'],
  ["an error's field getter", () => ({ e: errorWith('bad', true) }), 'e.bad'],
  ["an error's cause getter", () => [1, errorWith('cause')], '[1].cause'],
  [
    "an error's key-list trap",
    () => ({ e: new Proxy(new SyntaxError('keys hidden'), { ownKeys: throwBoom }) }),
    'e',
  ],
] as const;

async function caught(send: () => unknown): Promise<SerializationError> {
  try {
    await send();
  } catch (err) {
    return err as SerializationError;
  }
  throw new Error('it was sent');
}

function expectNamed(err: SerializationError, path: string): void {
  expect(err).toBeInstanceOf(SerializationError);
  expect(err.path).toBe(path.replace(/\.\[/, '['));
  expect(err.cause).toBe(boom);
}

describe.each(shapes)('%s', (_, make, part) => {
  it('Queue.put/putNowait, SimpleQueue.put and Connection.send name value.<path>', {
    timeout: 10_000,
  }, async () => {
    const q = own.queue();
    expectNamed(await caught(() => q.put(make())), `value.${part}`);
    expectNamed(await caught(() => q.putNowait(make())), `value.${part}`);
    const sq = new SimpleQueue();
    expectNamed(await caught(() => sq.put(make())), `value.${part}`);
    sq.close();
    const [a, b] = Pipe();
    expectNamed(await caught(() => a.send(make())), `value.${part}`);
    // Nothing half-sent: the next value is the first to arrive.
    await q.put(1);
    a.send(2);
    expect(await q.get({ timeout: 5000 })).toBe(1);
    expect(await b.recv()).toBe(2);
    a.close();
    b.close();
  });

  it.each(matrix(import.meta.url))(
    'a %s pool call and Process args name args[0].<path> (items[1] for map)',
    { timeout: 20_000 },
    async (context) => {
      const pool = own.pool({ processes: 1, context });
      expectNamed(await caught(() => pool.apply(tasks.echo, [make()])), `args[0].${part}`);
      expectNamed(await caught(() => pool.map(tasks.echo, [1, make()])), `items[1].${part}`);
      const p = own.process({ target: tasks.echo, args: [make()], context });
      expectNamed(await caught(() => p.start()), `args[0].${part}`);
    },
  );
});
