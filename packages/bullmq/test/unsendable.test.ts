/**
 * A value that cannot be sent fails the call as it does on the local pool (`@multiproc/core`),
 * side by side: the same class, path and cause (a Proxy's `DataCloneError`), the same first
 * sentence, core's very message wherever its advice holds across machines, and advice for Redis
 * where core's names what works on one machine only (a task reference, the 'thread' context, a
 * Manager, a Pipe): a Lock is said not to cross machines, with what to use instead.
 */
import { fileURLToPath } from 'node:url';
import { isTaskRef, Pool as LocalPool, SerializationError } from '@multiproc/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
// Not a dependency of this package: the monorepo's build of it.
import { Pipe } from '../../ipc/dist/index.js';
import type { Pool } from '../dist/index.js';
import { tasks } from './fixtures/tasks.mjs';
import { MAKERS, unsendable } from './fixtures/unsendable.mjs';
import { redisMissing } from './redis.js';
import { useRedisPools } from './redis-pools.js';
import { startWorkerHere, TASKS } from './workers.js';

const UNSENDABLE = fileURLToPath(new URL('./fixtures/unsendable.mjs', import.meta.url));

/** Everything a test compares of an error. */
interface Shape {
  readonly class: string;
  readonly path: string | undefined;
  readonly cause: string | undefined;
  readonly message: string;
}

function shape(error: unknown): Shape {
  const e = error as Error & { path?: string };
  const cause = e.cause as Error | undefined;
  return {
    class: e?.constructor?.name,
    path: e.path,
    cause: cause === undefined ? undefined : `${cause.constructor?.name} ${cause.name}`,
    message: e.message,
  };
}

/** Core's words for where a value was going, in the BullMQ pool's words. */
const overRedis = (message: string) =>
  message.replace(/ (to a child process|back to the parent process):/, ' through Redis to another machine:');

/** The message up to the end of the sentence that says what the value is. */
const firstSentence = (message: string) => /^.*?\.(?= [A-Z]|$)/.exec(message)?.[0];

/** What core advises that works on one machine only. */
const LOCAL_ONLY = /'thread' context|Manager|getContext|task reference from defineTasks|Pipe or Queue/;

/** Kinds whose core advice holds across machines: the message is core's, word for word. */
const CORE_WORDS = new Set([
  'symbol',
  'Proxy of an object',
  'Proxy of an array',
  'Proxy inside an object',
  'WeakMap',
  'Promise',
]);
const SHARED = /Lock|Semaphore|Event|Condition|Barrier|Value|Array$/;

/** Checks that `bull` says what `core` says, as the module header tells. */
function expectSame(kind: string, bull: Shape, core: Shape): void {
  expect({ kind, class: bull.class, path: bull.path, cause: bull.cause }).toEqual({
    kind,
    class: core.class,
    path: core.path,
    cause: core.cause,
  });
  expect(bull.message).not.toMatch(/\.\./);
  expect(bull.message).toMatch(/\.$/);
  if (CORE_WORDS.has(kind)) {
    expect(bull.message).toBe(core.message);
    return;
  }
  expect(firstSentence(bull.message)).toBe(firstSentence(overRedis(core.message)));
  expect(bull.message).not.toMatch(LOCAL_ONLY);
  if (SHARED.test(kind) && kind !== 'SharedArrayBuffer') {
    // A lock is no typed array: no advice to copy its values out (what a SharedArrayBuffer gets).
    expect(bull.message).toMatch(new RegExp(`An? ${kind} cannot cross machines`));
    expect(bull.message).not.toMatch(/Array\.from\(view\)|backed by a SharedArrayBuffer/);
    if (/Lock|Semaphore/.test(kind)) expect(bull.message).toMatch(/lock in Redis itself/);
  }
}

describe.skipIf(redisMissing)('unsendable values, beside the local pool', () => {
  const on = useRedisPools({ db: 1 });
  let worker: Awaited<ReturnType<typeof startWorkerHere>>;
  let pool: Pool;
  let local: LocalPool;
  let thread: LocalPool;

  beforeAll(async () => {
    worker = await startWorkerHere(on.redis.url, { tasks: [TASKS, UNSENDABLE] });
    pool = on.pool({ processes: 1 });
    local = new LocalPool({ processes: 1, context: 'process' });
    thread = new LocalPool({ processes: 1 });
  }, 60_000);
  afterAll(async () => {
    await Promise.all([local?.terminate(), thread?.terminate()]);
    await worker?.handle.stop();
  }, 30_000);

  test('as arguments: what a process-context Pool says, through Redis', { timeout: 30_000 }, async () => {
    for (const [kind, make] of Object.entries(MAKERS)) {
      const core = await local.apply(unsendable.make, [make() as string]).catch((e: unknown) => e);
      const bull = await pool.apply(unsendable.make, [make() as string]).catch((e: unknown) => e);
      expect(core, kind).toBeInstanceOf(Error);
      expectSame(kind, shape(bull), shape(core));
    }
  });

  test('a Pipe end is named by its public class, each sentence with a capital', {
    timeout: 30_000,
  }, async () => {
    const [a, b] = Pipe();
    try {
      const error = await pool.apply(tasks.echo, [a]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SerializationError);
      // Before: "it is a _Connection. a _Connection only connects processes of one machine".
      expect((error as Error).message).toMatch(
        /^Cannot send args\[0\]: it is a Connection\. A Connection \(a Pipe end\) only connects processes of one machine/,
      );
      expect((error as Error).message).not.toMatch(/_Connection|\. [a-z]/);
    } finally {
      a.close();
      b.close();
    }
  });

  test('a BullMQ Pool and its AsyncResult are refused, as a local Pool and its calls are', {
    timeout: 30_000,
  }, async () => {
    const pending = pool.applyAsync(tasks.echo, [1]);
    for (const [value, what] of [
      [pool, /it is a Pool/],
      [pending, /it is an AsyncResult/],
    ] as const) {
      for (const p of [thread, pool]) {
        // Before: a local task got {} (and `pool.map is not a function` later).
        const error = await p.apply(tasks.echo, [value]).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(SerializationError);
        expect((error as SerializationError).path).toBe('args[0]');
        expect((error as Error).message).toMatch(what);
      }
    }
    expect(await pending).toBe(1);
  });

  test('a task reference returned: refused at `result`, so no result holds one to import', {
    timeout: 30_000,
  }, async () => {
    // Unlike the local pool's (which imports the module of a reference in a worker's result before
    // it resolves): a reference names its module by URL, which differs between machines.
    expect(isTaskRef(await local.apply(unsendable.ref, []))).toBe(true);
    const error = await pool.apply(unsendable.ref, []).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SerializationError);
    expect((error as SerializationError).path).toBe('result');
    expect((error as Error).message).toMatch(/A task reference cannot travel through Redis/);
  });

  test('a class instance is not among them: it travels as its own fields, here as locally', {
    timeout: 30_000,
  }, async () => {
    const { Account } = await import('./fixtures/unsendable.mjs');
    for (const p of [local, thread, pool]) {
      const sent = await p.apply(unsendable.echo, [new Account()]);
      expect(sent).toEqual({});
      expect(Object.getPrototypeOf(sent)).toBe(Object.prototype);
      expect(await p.apply(unsendable.account, [])).toEqual({});
    }
  });

  test('as items of a map: the item is named, as the local pool names it', { timeout: 30_000 }, async () => {
    for (const kind of ['function', 'symbol', 'Lock', 'WeakMap']) {
      const items = [1, MAKERS[kind]!()];
      const core = await local.map(tasks.echo, items).catch((e: unknown) => e);
      const bull = await pool.map(tasks.echo, items).catch((e: unknown) => e);
      expectSame(kind, shape(bull), shape(core));
    }
    // A Proxy: v8 refuses it whole; both pools name the item and say what it is.
    const proxyItems = () => [1, new Proxy({}, {})];
    const bull = shape(await pool.map(tasks.echo, proxyItems()).catch((e: unknown) => e));
    const core = shape(await local.map(tasks.echo, proxyItems()).catch((e: unknown) => e));
    expect(bull).toEqual(core);
    expect(bull).toMatchObject({
      class: 'SerializationError',
      path: 'items[1]',
      cause: 'DOMException DataCloneError',
    });
    expect(bull.message).toMatch(
      /^Cannot send items\[1\]: it is a Proxy, which structured clone cannot copy: /,
    );
  });

  test('as results: what the local pool says of them', { timeout: 60_000 }, async () => {
    // The worker runs tasks on a 'thread' local pool: what that refuses comes back as it refused it;
    // what it lets through and Redis cannot carry (shared memory) is said as a 'process' pool says it.
    for (const kind of Object.keys(MAKERS)) {
      if (kind === 'Promise') continue; // a task's Promise is awaited
      const inThreads = await thread.apply(unsendable.make, [kind]).then(
        () => undefined,
        (e: unknown) => e,
      );
      const core = inThreads ?? (await local.apply(unsendable.make, [kind]).catch((e: unknown) => e));
      const bull = await pool.apply(unsendable.make, [kind]).catch((e: unknown) => e);
      expect(core, kind).toBeInstanceOf(Error);
      if (process.env.SHOW) console.log(kind, shape(bull), shape(core));
      expectSame(kind, shape(bull), shape(core));
    }
  });
});
