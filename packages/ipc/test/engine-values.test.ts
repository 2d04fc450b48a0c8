// An engine object that reads like a plain object or a class instance (an `arguments` object, a
// generator, an iterator, an Intl object) is refused at the send with a SerializationError naming
// its path, on a queue or a pipe, here and in a worker thread or child process; an `arguments`
// object was delivered as `{}` (the JSON route took it for a plain object).
import { Pipe, Queue, SerializationError } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { core } from './core.js';

const { tasks } = await import(new URL('./fixtures/platform-tasks.mjs', import.meta.url).href);

type TestPool = { apply(task: unknown, args: unknown[]): Promise<any>; terminate(): Promise<void> };
let started: TestPool | null = null;
afterEach(async () => {
  await started?.terminate();
  started = null;
});

function args(..._: unknown[]): IArguments {
  // biome-ignore lint/complexity/noArguments: the arguments object itself is the case
  return arguments;
}

function thrown(send: () => unknown): unknown {
  try {
    send();
  } catch (err) {
    return err;
  }
  return undefined;
}

const engineValues: [string, () => unknown][] = [
  ['an arguments object', () => args(1, 2)],
  ['a generator', () => (function* () {})()],
  ['an array iterator', () => [1].values()],
  ['an Intl.Collator', () => new Intl.Collator()],
];

describe.each(['thread', 'process'] as const)('engine objects through ipc, %s worker', (context) => {
  it.each(engineValues)(
    '%s is refused at put and send, named by its path',
    { timeout: 20_000 },
    async (_, make) => {
      const q = new Queue<unknown>();
      const [a, b] = Pipe();
      const err = await q.put({ x: [0, make()] }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(SerializationError);
      expect(err).toMatchObject({ code: 'MP_SERIALIZATION', path: 'value.x[1]' });
      expect(thrown(() => q.putNowait(make()))).toMatchObject({ path: 'value' });
      expect(thrown(() => a.send({ inner: make() }))).toMatchObject({ path: 'value.inner' });
      expect(q.qsize()).toBe(0);
      expect(await b.poll()).toBe(false);
      for (const c of [q, a, b]) c.close();
    },
  );

  it('a worker putting or sending one is refused there, named by its path', { timeout: 20_000 }, async () => {
    const pool = (started = new core.Pool({ processes: 1, context }) as TestPool);
    const q = new Queue<unknown>();
    const [a, b] = Pipe();
    expect(await pool.apply(tasks.putArguments, [q])).toEqual(['SerializationError', 'value.a[0]']);
    expect(await pool.apply(tasks.sendGenerator, [b])).toEqual(['SerializationError', 'value.g']);
    expect(q.qsize()).toBe(0);
    expect(await a.poll()).toBe(false);
    for (const c of [q, a, b]) c.close();
  });
});
