/**
 * Values through Redis round-trip as on the local pool, whose codec the BullMQ pool now uses: an
 * error passed or returned as a value (an argument, a map item, a result, a message) keeps its own
 * fields (`code`, `errno`, custom ones), its `cause` and an AggregateError's `errors`, where v8's
 * serializer kept only name, message, stack and cause; a URL arrives as a URL. What lives on one
 * machine (a queue, shared memory) is still refused.
 */
import { ContextError, Pool as LocalPool, SerializationError } from '@multiproc/core';
import { Lock } from '@multiproc/shared';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Pool } from '../dist/index.js';
import { aggregate, fieldedError, shape, systemError } from './error-values.js';
import { tasks } from './fixtures/tasks.mjs';
import { type RedisServer, redisMissing, startRedis } from './redis.js';
import { SECRET, startWorkerHere } from './workers.js';

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('resolved');
    },
    (error: unknown) => error as Error & { path?: string },
  );

describe.skipIf(redisMissing)('values through Redis, as on the local pool', () => {
  let redis: RedisServer;
  let worker: Awaited<ReturnType<typeof startWorkerHere>>;
  let pool: Pool;
  let local: LocalPool;

  beforeAll(async () => {
    redis = await startRedis({ db: 0 });
    worker = await startWorkerHere(redis.url, { concurrency: 2 });
    pool = new Pool({ connection: redis.url, secret: SECRET, processes: 2 });
    local = new LocalPool({ processes: 2, context: 'process' });
  }, 60_000);
  afterAll(async () => {
    await pool?.terminate();
    await local?.terminate();
    await worker?.handle.stop();
    await redis?.stop();
  }, 30_000);

  /** What `call` gives on both pools, shaped; they must be equal. */
  async function onBoth(call: (p: Pool | LocalPool) => Promise<unknown>): Promise<unknown> {
    const here = shape(await call(local));
    const there = shape(await call(pool));
    expect(there).toEqual(here);
    return there;
  }

  test('an error argument keeps its own fields and cause, an AggregateError its errors', {
    timeout: 30_000,
  }, async () => {
    const got = (await onBoth((p) => p.apply(tasks.echo, [fieldedError()]))) as Record<string, any>;
    expect(got.own).toEqual({ code: 'ECODE', errno: -2, extra: { depth: [1, 2] } });
    expect(got.cause).toMatchObject({ class: 'TypeError', message: 'the cause' });
    const system = (await onBoth((p) => p.apply(tasks.echo, [systemError()]))) as Record<string, any>;
    expect(system.own).toMatchObject({ code: 'ENOENT', syscall: 'open', path: '/no/such/file/anywhere' });
    const many = (await onBoth((p) => p.apply(tasks.echo, [aggregate()]))) as Record<string, any>;
    expect(many.class).toBe('AggregateError');
    expect(many.errors).toEqual([
      { class: 'RangeError', name: 'RangeError', message: 'one', own: {} },
      { class: 'Error', name: 'Error', message: 'two', own: { code: 'E2' } },
    ]);
    // Inside other values too, and a URL arrives as a URL (the local pool sends its text).
    const nested = (await onBoth((p) =>
      p.apply(tasks.echo, [
        { list: [fieldedError()], map: new Map([[1, aggregate()]]), at: new URL('http://x/') },
      ]),
    )) as Record<string, any>;
    expect(nested.list[0].own.code).toBe('ECODE');
    expect(nested.at).toEqual({ url: 'http://x/' });
  });

  test('map items, imap results and an error made by the task keep them too', {
    timeout: 30_000,
  }, async () => {
    const items = [1, fieldedError(), aggregate(), systemError()];
    const mapped = (await onBoth((p) => p.map(tasks.echo, items))) as any[];
    expect(mapped[1].own.code).toBe('ECODE');
    expect(mapped[2].errors[1].own).toEqual({ code: 'E2' });
    await onBoth((p) => p.starmap(tasks.echo, [[fieldedError()], [aggregate()]]));
    // An error in an array item's named field, in a map's results as in its items.
    const named = (await onBoth((p) =>
      p.map(tasks.echo, [Object.assign([1], { err: fieldedError() })]),
    )) as any[];
    expect(named[0].err.own.code).toBe('ECODE');
    await onBoth(async (p) => {
      const out: unknown[] = [];
      for await (const v of p.imap(
        tasks.echo,
        (async function* () {
          yield fieldedError();
          yield aggregate();
        })(),
      ))
        out.push(v);
      return out;
    });
    const made = (await onBoth((p) => p.apply(tasks.errorValue, ['EMADE']))) as Record<string, any>;
    expect(made.error.own).toEqual({ code: 'EMADE', errno: -2 });
    expect(made.error.cause.class).toBe('TypeError');
    expect(made.many.errors[1].own).toEqual({ code: 'EMADE' });
  });

  test('a message (sendToCaller) keeps them', { timeout: 30_000 }, async () => {
    // Both pools once lost them alike (the local pool sent messages by structured clone).
    const told = (await onBoth(async (p) => {
      const told: unknown[] = [];
      await p.apply(tasks.tell, [fieldedError()], { onMessage: (m) => told.push(m) });
      await p.apply(tasks.tell, [new SerializationError('message.x', 'ours')], {
        onMessage: (m) => told.push(m),
      });
      return told;
    })) as Record<string, any>[];
    expect(told[0]!.own).toEqual({ code: 'ECODE', errno: -2, extra: { depth: [1, 2] } });
    expect(told[0]!.cause.class).toBe('TypeError');
    expect(told[1]).toMatchObject({ class: 'SerializationError', own: { path: 'message.x' } });
  });

  test('a thrown error keeps its own fields, cause and errors, as on the local pool', {
    timeout: 30_000,
  }, async () => {
    const thrown = (await onBoth((p) => failure(p.apply(tasks.throwIt, [fieldedError()])))) as Record<
      string,
      any
    >;
    expect(thrown.own).toEqual({ code: 'ECODE', errno: -2, extra: { depth: [1, 2] } });
    expect(thrown.cause.class).toBe('TypeError');
    const many = (await onBoth((p) => failure(p.apply(tasks.throwIt, [aggregate()])))) as Record<string, any>;
    expect(many.errors[1].own).toEqual({ code: 'E2' });
    const system = (await onBoth((p) => failure(p.map(tasks.throwIt, [systemError()])))) as Record<
      string,
      any
    >;
    expect(system.own).toMatchObject({ code: 'ENOENT', syscall: 'open' });
  });

  test('a thrown value that cannot be sent back comes as an Error with its text as thrown, as on the local pool', {
    timeout: 30_000,
  }, async () => {
    for (const kind of ['function', 'symbol']) {
      type Thrown = Error & { thrown?: unknown };
      const here = (await failure(local.apply(tasks.throwUnsendable, [kind]))) as Thrown;
      const there = (await failure(pool.apply(tasks.throwUnsendable, [kind]))) as Thrown;
      expect(there).toBeInstanceOf(Error);
      expect(there.message).toBe(here.message);
      expect(there.message).toMatch(/A non-Error value was thrown/);
      expect(typeof here.thrown).toBe('string');
      expect(there.thrown).toBe(here.thrown);
      expect(Object.getOwnPropertyDescriptor(there, 'thrown')?.enumerable).toBe(false);
    }
  });

  // The worker's status line for the failed job called String() on the thrown value, which threw
  // for this one: the job failed as "failed on the worker side: Cannot convert object to primitive
  // value. Its worker may have died", a WorkerCrashedError, where the local pool gives the value.
  test('a thrown value String() cannot convert comes back as on the local pool', {
    timeout: 30_000,
  }, async () => {
    const here = await failure(local.apply(tasks.throwTextless, []));
    const there = await failure(pool.apply(tasks.throwTextless, []));
    expect(there).not.toBeInstanceOf(Error);
    expect(there).toEqual(here);
    expect(there).toEqual({ status: 409, toString: 'not a function' });
  });

  test('what lives on one machine is still refused, naming its path; so is an instance with methods', {
    timeout: 30_000,
  }, async () => {
    const { port1 } = new MessageChannel();
    try {
      const port = await failure(pool.apply(tasks.echo, [{ q: port1 }]));
      expect(port).toBeInstanceOf(SerializationError);
      expect(port.path).toBe('args[0].q');
      expect(port.message).toMatch(/it is a MessagePort\. .*cannot travel through Redis/);
    } finally {
      port1.close();
    }
    const lock = await failure(pool.map(tasks.echo, [1, { lock: new Lock() }]));
    expect(lock).toBeInstanceOf(ContextError);
    expect(lock.message).toMatch(/items\[1\]\.lock \(a Lock\) through Redis.*A Lock cannot cross machines/);
    class Point {
      readonly x: number;
      constructor(x: number) {
        this.x = x;
      }
      norm() {
        return this.x;
      }
    }
    // A class instance travels as its own fields, as a structured clone copies it, here as locally.
    const local = await localPool().apply(tasks.echo, [new Point(1)]);
    const there = await pool.apply(tasks.echo, [new Point(1)]);
    expect(there).toEqual({ x: 1 });
    expect(Object.getPrototypeOf(there)).toBe(Object.prototype);
    expect(there).toEqual(local);
    expect(await pool.apply(tasks.square, [5])).toBe(25);
  });

  const localPool = () => local;
});
