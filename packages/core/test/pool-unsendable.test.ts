// What cannot be sent names where it is: a map item by its index in the input (`items[1]`), a
// result by `result…`, a part of a task's error by `error…` (that part alone stands in, the error
// kept); a value that throws while it is read (a getter, a Proxy's trap) is a SerializationError
// too, and the worker lives on.

import { SerializationError } from '@multiproc/shared';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks as t } from './fixtures/unsendable-tasks.mjs';
import { poolMaker, runProgram, serializationFailure } from './helpers.ts';

const makePool = poolMaker();

describe.each(matrix(import.meta.url))('unsendable values in the %s context', (context) => {
  it('a map, starmap or imap item is named by its index in the input', { timeout: 20_000 }, async () => {
    const pool = makePool({ processes: 1, context });
    const fn = () => 2;
    expect((await serializationFailure(pool.map(t.echo, [1, fn]))).path).toBe('items[1]');
    expect((await serializationFailure(pool.map(t.echo, [1, 2, 3, { cb: fn }], { chunksize: 2 }))).path).toBe(
      'items[3].cb',
    );
    expect((await serializationFailure(pool.starmap(t.echo, [[1], [fn]]))).path).toBe('items[1][0]');
    const seen: unknown[] = [];
    const looped = (async () => {
      for await (const v of pool.imap(t.echo, [1, 2, fn], { chunksize: 1 })) seen.push(v);
    })();
    expect((await serializationFailure(looped)).path).toBe('items[2]');
    expect(seen).toEqual([1, 2]);
    expect(await pool.map(t.echo, [1, 2])).toEqual([1, 2]);
  });

  it('a function in a named field of an item in a long chunk is named by its path too', {
    timeout: 20_000,
  }, async () => {
    // Items of a chunk over 64 are sent without their named fields looked into (no Object.keys()
    // per item); structured clone refuses the function, and the failure path names it.
    const pool = makePool({ processes: 1, context });
    const items = Array.from({ length: 100 }, (_, i) => [i]);
    items[50] = Object.assign([50], { cb: () => 1 });
    const mapped = await serializationFailure(pool.map(t.echo, items, { chunksize: 100 }));
    expect(mapped.path).toBe('items[50].cb');
    const args = items.map((item) => [item]);
    const starred = await serializationFailure(pool.starmap(t.echo, args, { chunksize: 100 }));
    expect(starred.path).toBe('items[50][0].cb');
    expect((await pool.map(t.echo, [[1], [2]])).length).toBe(2);
  });

  it('an imap without chunksize fails only the items that cannot be sent; every other item runs', {
    timeout: 30_000,
  }, async () => {
    // Each item of an imap without chunksize fails or succeeds alone: a chunk that cannot be sent
    // goes in halves until only what cannot be sent is left (its other items were lost before).
    const pool = makePool({ processes: 2, context });
    const fn = () => 0;
    const read = async (stream: AsyncIterable<unknown> & AsyncIterator<unknown>) => {
      const out: unknown[] = [];
      for (;;) {
        try {
          const step = await stream.next();
          if (step.done) return out;
          out.push(step.value);
        } catch (error) {
          out.push(`!${(error as SerializationError).path}`);
        }
      }
    };
    const expected = (n: number, bad: number[], path = (i: number) => `items[${i}]`) =>
      Array.from({ length: n }, (_, i) => (bad.includes(i) ? `!${path(i)}` : i));
    // The codec refuses them: an array, a generator, two in one chunk.
    const array = Array.from({ length: 100 }, (_, i): unknown => (i === 50 ? fn : i));
    expect(await read(pool.imap(t.echo, array))).toEqual(expected(100, [50]));
    function* gen() {
      for (let i = 0; i < 20; i++) yield i === 5 ? fn : i;
    }
    expect(await read(pool.imap(t.echo, gen()))).toEqual(expected(20, [5]));
    const two = Array.from({ length: 60 }, (_, i): unknown => (i === 30 || i === 33 ? fn : i));
    expect(await read(pool.imap(t.echo, two))).toEqual(expected(60, [30, 33]));
    const unordered = await read(pool.imapUnordered(t.echo, array));
    expect(unordered.sort((a, b) => String(a).localeCompare(String(b)))).toEqual(
      expected(100, [50]).sort((a, b) => String(a).localeCompare(String(b))),
    );
    // Structured clone refuses it (a function in a named field of an item in a long chunk).
    const long = Array.from({ length: 2000 }, (_, i): unknown => [i]);
    long[1000] = Object.assign([1000], { cb: fn });
    const failedBefore = pool.stats().failed;
    const got = await read(pool.imap(t.echo, long));
    expect(got.length).toBe(2000);
    expect(got[1000]).toBe('!items[1000].cb');
    expect(got.filter((v) => Array.isArray(v)).length).toBe(1999);
    // No task failed: the halves it went in were refused, not run (each counted before), and the
    // item alone is refused as it is encoded, before it is a task (as a call's unsendable argument).
    expect(pool.stats().failed - failedBefore).toBe(0);
    // An item structured clone refuses even alone (a Proxy) is one task that failed.
    const proxied = Array.from({ length: 200 }, (_, i): unknown => i);
    proxied[100] = new Proxy({}, {});
    const again = await read(pool.imap(t.echo, proxied));
    expect(again[100]).toBe('!items[100]');
    expect(again.filter((v) => typeof v === 'number').length).toBe(199);
    expect(pool.stats().failed - failedBefore).toBe(1);
    // The pool goes on.
    expect(await pool.map(t.echo, [1, 2])).toEqual([1, 2]);
  });

  it('a function in a named field of a result in a long chunk is named by its path, the worker lives on', {
    timeout: 20_000,
  }, async () => {
    const pool = makePool({ processes: 1, context });
    const input = Array.from({ length: 100 }, (_, i) => i);
    const err = await serializationFailure(pool.map(t.namedFunctionAt50, input, { chunksize: 100 }));
    expect(err.path).toBe('result[50].cb');
    expect(await pool.apply(t.echo, [7])).toBe(7);
  });

  it('a returned function gets advice for results (return data), an argument one for arguments (task reference)', {
    timeout: 20_000,
  }, async () => {
    const pool = makePool({ processes: 1, context });
    for (const [task, path] of [
      [t.returnFunction, 'result'],
      [t.returnNestedFunction, 'result.parent.isAlive'],
    ] as const) {
      const err = await serializationFailure(pool.apply(task, []));
      expect(err.path).toBe(path);
      expect(err.message).toMatch(/return data \(plain values\) from the task instead/);
      expect(err.message).not.toMatch(/task reference/);
    }
    const arg = await serializationFailure(pool.apply(t.echo, [() => 1]));
    expect(arg.path).toBe('args[0]');
    expect(arg.message).toMatch(/pass a task reference from defineTasks\(\) instead/);
    expect(await pool.apply(t.echo, [7])).toBe(7);
  });

  // Before, a getter that threw replaced the whole error by a SerializationError: the task's class
  // and message were lost (the contract keeps them). Now the part alone stands in for itself.
  it("a task's error whose field, stack or cause getter throws keeps its class and message; that part alone is named", {
    timeout: 20_000,
  }, async () => {
    const pool = makePool({ processes: 1, context });
    const err = (await pool.apply(t.throwGetterError, []).catch((e: unknown) => e)) as Error & {
      bad: unknown;
    };
    expect(err).not.toBeInstanceOf(SerializationError);
    expect(err.message).toBe('the task failed');
    const bad = err.bad as SerializationError;
    expect(bad).toBeInstanceOf(SerializationError);
    expect(bad.path).toBe('error.bad');
    expect((bad.cause as Error).message).toBe('getter threw');

    const noStack = (await pool.apply(t.throwStackGetterError, []).catch((e: unknown) => e)) as Error;
    expect(noStack).toBeInstanceOf(RangeError);
    expect(noStack.message).toBe('no stack here');
    expect(noStack.stack).toMatch(
      /^RangeError: no stack here\n.*stack could not be read.*stack getter threw/s,
    );

    const noCause = (await pool.apply(t.throwCauseGetterError, []).catch((e: unknown) => e)) as Error & {
      code: string;
    };
    expect(noCause).toBeInstanceOf(TypeError);
    expect(noCause.message).toBe('bad cause');
    expect(noCause.code).toBe('E_CAUSE');
    expect(noCause.cause).toBeInstanceOf(SerializationError);
    expect((noCause.cause as SerializationError).path).toBe('error.cause');
    expect(await pool.apply(t.echo, [7])).toBe(7);
  });

  // Before, a field holding one part that cannot be sent (`request.transform`, a function beside
  // `request.url`) came back whole as a SerializationError: `request.url` was lost. Now that part
  // alone stands in, named by its path; a field that is itself unsendable stands in as before.
  it("a task's error whose field holds one unsendable part keeps the rest of the field; that part alone is named", {
    timeout: 20_000,
  }, async () => {
    const pool = makePool({ processes: 1, context });
    const named = (part: unknown) =>
      `${(part as Error)?.constructor?.name} ${(part as SerializationError)?.path}`;
    const err = (await pool.apply(t.throwPartlyUnsendableField, []).catch((e: unknown) => e)) as Error & {
      request: Record<string, any>;
      fn: unknown;
      plain: unknown;
    };
    expect(err.message).toBe('x');
    const { request } = err;
    expect(request.url).toBe('u');
    expect(named(request.transform)).toBe('SerializationError error.request.transform');
    expect(request.headers.accept).toBe('json');
    expect(named(request.headers.sign)).toBe('SerializationError error.request.headers.sign');
    expect(request.list[0]).toBe(1);
    expect(named(request.list[1])).toBe('SerializationError error.request.list[1]');
    expect(request.list[2]).toEqual({ ok: true });
    // A cycle stays a cycle, a part met twice is one object, a getter that throws is named alone.
    expect(request.self).toBe(request);
    expect(request.a).toBe(request.b);
    expect(request.a.id).toBe('s');
    expect(named(request.a.fn)).toBe('SerializationError error.request.a.fn');
    expect(named(request.lazy)).toBe('SerializationError error.request.lazy');
    expect((request.lazy.cause as Error).message).toBe('lazy getter threw');
    // A field that is itself unsendable, and a plain one, as before.
    expect(named(err.fn)).toBe('SerializationError error.fn');
    expect(err.plain).toEqual({ n: 1 });

    const thrown = (await pool.apply(t.throwPartlyUnsendableObject, []).catch((e: unknown) => e)) as any;
    expect(thrown.status).toBe(502);
    expect(thrown.request.url).toBe('u');
    expect(named(thrown.request.transform)).toBe('SerializationError error.request.transform');

    const caused = (await pool.apply(t.throwPartlyUnsendableCause, []).catch((e: unknown) => e)) as any;
    expect(caused.cause.reason).toBe('timeout');
    expect(named(caused.cause.retry)).toBe('SerializationError error.cause.retry');
    // Returned as a value, the same error is refused whole, naming the part.
    const refused = await pool.apply(t.returnPartlyUnsendableError, []).catch((e: unknown) => e);
    expect(named(refused)).toBe('SerializationError result.request.transform');
    expect(await pool.apply(t.echo, [7])).toBe(7);
  });

  // Before, a `name` or `message` getter that threw, or a Proxy error whose key list could not be
  // read, replaced the whole error by a SerializationError. Now what can be read arrives.
  it("a task's error whose name, message or key list throws keeps its class and what can be read", {
    timeout: 20_000,
  }, async () => {
    const pool = makePool({ processes: 1, context });
    const rejection = async (task: unknown) =>
      (await pool.apply(task as typeof t.echo, []).catch((e: unknown) => e)) as Error & { code?: string };
    // `name` throws: its class's name, and what the getter threw as its cause.
    const noName = await rejection(t.throwNameGetterError);
    expect(noName).toBeInstanceOf(RangeError);
    expect(noName.name).toBe('QuotaError');
    expect(noName.message).toBe('over quota');
    expect((noName.cause as Error).message).toBe('name getter threw');
    expect(noName.stack).toMatch(/^QuotaError: over quota\n.*stack could not be read.*name getter threw/s);
    // `message` throws: a text saying so, its fields kept, the getter's error as cause.
    const noMessage = await rejection(t.throwMessageGetterError);
    expect(noMessage).toBeInstanceOf(TypeError);
    expect(noMessage).not.toBeInstanceOf(SerializationError);
    expect(noMessage.name).toBe('TypeError');
    expect(noMessage.message).toBe(
      '(its message could not be read: reading it threw Error: message getter threw)',
    );
    expect(noMessage.code).toBe('E_MSG');
    expect((noMessage.cause as Error).message).toBe('message getter threw');
    // The key list throws: the standard parts (name, message, stack, code), a line saying why no more.
    const noKeys = (await rejection(t.throwKeysTrapError)) as Error & { code?: string; extra?: number };
    expect(noKeys).toBeInstanceOf(SyntaxError);
    expect(noKeys.message).toBe('keys hidden');
    expect(noKeys.code).toBe('E_KEYS');
    expect(noKeys.extra).toBeUndefined();
    expect(noKeys.stack).toMatch(
      /^SyntaxError: keys hidden\n.*fields could not be listed.*ownKeys trap threw/s,
    );
    expect(await pool.apply(t.echo, [7])).toBe(7);
  });

  // Before, a target's error whose name or message getter threw printed the getter's error alone,
  // without the "Process Process-1:" line (describeError threw while reporting it).
  it("a Process target's error whose name, message or key list throws is printed with what can be read", {
    timeout: 60_000,
  }, async () => {
    const { stdout, stderr } = await runProgram('target-cause.mjs', [context, 'unreadable'], {}, 40_000);
    expect(stdout).toBe('exitCode 1\nexitCode 1\nexitCode 1\n');
    expect(stderr).toMatch(
      /^Process Process-1:\nQuotaError: over quota\n.*stack could not be read.*name getter threw/,
    );
    expect(stderr).toMatch(
      /\nProcess Process-2:\nTypeError: \(its message could not be read: reading it threw Error: message getter threw\)/,
    );
    expect(stderr).toMatch(/\nProcess Process-3:\nSyntaxError: keys hidden\n\s+at /);
  });

  it('a result whose Proxy trap throws is a SerializationError with path result, the worker lives on', {
    timeout: 20_000,
  }, async () => {
    const pool = makePool({ processes: 1, context });
    const err = await serializationFailure(pool.apply(t.trapResult, []));
    expect(err.path).toBe('result');
    expect((err.cause as Error).message).toBe('trap');
    const inMap = await serializationFailure(pool.map(t.getterResultAt, [0, 1, 2]));
    expect(inMap.path).toBe('result[1].bad');
    expect(await pool.apply(t.echo, [7])).toBe(7);
  });

  // Before, such an error was sent, and the call resolved with a SerializationError object in its
  // place (class and message lost). A result that cannot be sent rejects the call (CONTRACT.md).
  it('a result that is an error whose name, message, stack, a field, its cause or key list throws rejects naming that part', {
    timeout: 20_000,
  }, async () => {
    const pool = makePool({ processes: 1, context });
    for (const [part, path] of [
      ['name', 'result.name'],
      ['message', 'result.message'],
      ['stack', 'result.stack'],
      ['bad', 'result.bad'],
      ['cause', 'result.list[0].cause'],
      ['keys', 'result'],
    ]) {
      const err = await serializationFailure(pool.apply(t.returnUnreadableError, [part]));
      expect(err.path).toBe(path);
      expect((err.cause as Error).message).toBe(`${part} getter threw`);
      expect(err.message).toMatch(/give the error plain fields/);
    }
    expect(await pool.apply(t.echo, [7])).toBe(7);
  });

  // Before, from a thread the reply failed to post (the queue's port was not in its transfer list):
  // the call rejected with a SerializationError about its result, the task's error lost.
  it("a task's error carrying a queue or pipe end (a field, its cause, a thrown object) arrives with it, live", {
    timeout: 20_000,
  }, async () => {
    const pool = makePool({ processes: 1, context });
    const failed = async (where: string) =>
      (await pool.apply(t.throwHandle, [where]).catch((e: unknown) => e)) as Error & Record<string, any>;
    const inField = await failed('queue');
    expect(inField).toBeInstanceOf(RangeError);
    expect(inField).toMatchObject({ message: 'no reply', code: 'E_REPLY' });
    await inField.reply.put('pong');
    expect(await inField.reply.get({ timeout: 5000 })).toBe('pong');
    const pipeEnd = await failed('pipe');
    expect(pipeEnd).toBeInstanceOf(RangeError);
    expect(typeof pipeEnd.reply.send).toBe('function');
    const inCause = await failed('cause');
    expect(inCause).toBeInstanceOf(TypeError);
    const cause = inCause.cause as { reply: typeof inField.reply };
    await cause.reply.put(1);
    expect(await cause.reply.get({ timeout: 5000 })).toBe(1);
    const thrown = await failed('thrown');
    expect(thrown.status).toBe(409);
    await thrown.reply.put(2);
    expect(await thrown.reply.get({ timeout: 5000 })).toBe(2);
    for (const q of [inField.reply, pipeEnd.reply, cause.reply, thrown.reply]) q.close();
    expect(await pool.apply(t.echo, [7])).toBe(7);
  });

  it('an argument that throws while it is read rejects the call naming it', { timeout: 20_000 }, async () => {
    const pool = makePool({ processes: 1, context });
    const trap = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error('trap');
        },
      },
    );
    expect((await serializationFailure(pool.apply(t.echo, [1, { x: trap }]))).path).toBe('args[1].x');
    expect((await serializationFailure(pool.map(t.echo, [trap]))).path).toBe('items[0]');
  });
});

// Thread context only (a shared Value cannot go to a process), in every tier: outside the matrix,
// which runs one context per file in CI.
describe('unsendable values in the thread context only', () => {
  it('a library object in a named field of a result arrives live, also in a long chunk (no envelope)', {
    timeout: 20_000,
  }, async () => {
    const pool = makePool({ processes: 1, context: 'thread' });
    const input = Array.from({ length: 100 }, (_, i) => i);
    for (const chunksize of [100, 10]) {
      const out = (await pool.map(t.namedValue, input, { chunksize })) as { v: { value: number } }[];
      expect(out.map((r) => r.v.value)).toEqual(input);
    }
  });
});
