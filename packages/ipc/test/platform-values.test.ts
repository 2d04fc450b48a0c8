// A platform object put on a queue or sent on a pipe arrives as itself (URL, URLSearchParams) or
// is refused at the send with a SerializationError naming `value` (Headers, AbortSignal, Blob),
// never delivered as {} (bb10 F14), in a worker thread and in a child process alike. So is an
// engine object that reads like a plain object or a class instance (an `arguments` object, a
// generator, an iterator, an Intl object), named by its path; an `arguments` object was delivered
// as `{}` (the JSON route took it for a plain object).
import { Pipe, Queue, SerializationError } from '@multiproc/ipc';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { core } from './core.js';

const { tasks } = await import(new URL('./fixtures/platform-tasks.mjs', import.meta.url).href);

type TestPool = { apply(task: unknown, args: unknown[]): Promise<any>; terminate(): Promise<void> };
let started: TestPool | null = null;
afterEach(async () => {
  await started?.terminate();
  started = null;
});

function thrown(send: () => unknown): unknown {
  try {
    send();
  } catch (err) {
    return err;
  }
  return undefined;
}

function args(..._: unknown[]): IArguments {
  // biome-ignore lint/complexity/noArguments: the arguments object itself is the case
  return arguments;
}

const engineValues: [string, () => unknown][] = [
  ['an arguments object', () => args(1, 2)],
  ['a generator', () => (function* () {})()],
  ['an array iterator', () => [1].values()],
  ['an Intl.Collator', () => new Intl.Collator()],
];

describe.each(matrix(import.meta.url))('platform values through ipc, %s worker', (context) => {
  it('a URL or URLSearchParams arrives as itself, both ways, on a queue and a pipe', {
    timeout: 20_000,
  }, async () => {
    const pool = (started = new core.Pool({ processes: 1, context }) as TestPool);
    const q = new Queue<unknown>();
    await q.put(new URL('https://example.org/a?b=1'));
    expect(await pool.apply(tasks.get, [q])).toEqual(['URL', 'https://example.org/a?b=1']);
    await pool.apply(tasks.putUrl, [q]);
    const url = await q.get({ timeout: 10_000 });
    expect(url).toBeInstanceOf(URL);
    expect((url as URL).pathname).toBe('/from-worker');
    const [a, b] = Pipe();
    a.send(new URLSearchParams('x=1&y=2'));
    expect(await pool.apply(tasks.recv, [b])).toEqual(['URLSearchParams', 'x=1&y=2']);
    await pool.apply(tasks.sendParams, [b]);
    const params = await a.recv();
    expect(params).toBeInstanceOf(URLSearchParams);
    expect((params as URLSearchParams).get('from')).toBe('worker');
    for (const c of [q, a, b]) c.close();
  });

  it('Headers, an AbortSignal or a Blob is refused at the send naming value, here and in the worker', {
    timeout: 20_000,
  }, async () => {
    const pool = (started = new core.Pool({ processes: 1, context }) as TestPool);
    const q = new Queue<unknown>();
    const [a, b] = Pipe();
    for (const value of [new Headers({ a: '1' }), new AbortController().signal, new Blob(['x'])]) {
      const err = await q.put(value).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(SerializationError);
      expect(err).toMatchObject({ code: 'MP_SERIALIZATION', path: 'value' });
      expect(thrown(() => a.send({ inner: value }))).toMatchObject({ path: 'value.inner' });
    }
    expect(q.qsize()).toBe(0);
    expect(await b.poll()).toBe(false);
    expect(await pool.apply(tasks.putHeaders, [q])).toEqual(['SerializationError', 'value']);
    expect(await pool.apply(tasks.sendSignal, [b])).toEqual(['SerializationError', 'value']);
    for (const c of [q, a, b]) c.close();
  });
});

describe.each(matrix(import.meta.url))('engine objects through ipc, %s worker', (context) => {
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
