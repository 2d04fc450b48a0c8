// An error inside a queue's or pipe's value arrives as a pool task's result does: as its class
// (a built-in, DOMException or one of multiproc's), with its own fields (`code`, `errno`, a
// user class's `status` and `name`), its `cause` and an `AggregateError`'s `errors`. Structured
// clone alone gave a plain `Error` named 'Error' for every class but the built-ins, without any
// own field, so a worker that reported `q.put(err)` lost what the parent needed to handle it (as
// Python's pickle keeps an exception's class and attributes).
import { EOFError, Pipe, Queue } from '@multiproc/ipc';
import { ValidationError } from '@multiproc/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { killProcesses, startProcess } from './core.js';

const { tasks, makeErrors } = await import(new URL('./fixtures/error-value-tasks.mjs', import.meta.url).href);

afterEach(killProcesses);

function check(got: Error[]): void {
  const want = makeErrors() as Error[];
  expect(got.map((e) => [e.constructor.name, e.name, e.message])).toEqual(
    want.map((e) => [e.constructor.name === 'HttpError' ? 'Error' : e.constructor.name, e.name, e.message]),
  );
  const [fsError, range, aggregate, http, eof, validation, withData] = got as any[];
  expect({ ...fsError }).toEqual({ code: 'ENOENT', errno: -2, syscall: 'open', path: 'x' });
  expect(range).toBeInstanceOf(RangeError);
  expect(range.cause).toBeInstanceOf(TypeError);
  expect(range.cause.message).toBe('inner');
  expect(aggregate).toBeInstanceOf(AggregateError);
  expect(aggregate.errors.map((e: Error) => [e.name, e.message])).toEqual([
    ['TypeError', 'one'],
    ['HttpError', 'status 404'],
  ]);
  expect(aggregate.errors[1].status).toBe(404);
  expect([http.name, http.status]).toEqual(['HttpError', 503]);
  expect(eof).toBeInstanceOf(EOFError);
  expect(eof.code).toBe('MP_EOF');
  expect(validation).toBeInstanceOf(ValidationError);
  expect(withData.detail).toEqual({ at: new Date(0), tags: new Set(['a']) });
  expect(typeof fsError.stack).toBe('string');
}

describe('errors in values keep their class, own fields, cause and errors', () => {
  it('in this thread: a Pipe and a Queue', async () => {
    const [a, b] = Pipe();
    const q = new Queue<Error[]>();
    a.send(makeErrors());
    await q.put(makeErrors());
    check((await b.recv()) as Error[]);
    check(await q.get());
    a.close();
    b.close();
    q.close();
  });

  it.each(matrix(import.meta.url))('from a %s worker', { timeout: 60_000 }, async (context) => {
    const [mine, theirs] = Pipe();
    const q = new Queue<Error[]>();
    const p = startProcess(context, tasks.report, [q, theirs]);
    check(await q.get({ timeout: 30_000 }));
    check(((await mine.recv()) as { errors: Error[] }).errors);
    await p.join();
    expect(p.exitCode).toBe(0);
    mine.close();
    q.close();
  });

  it('a function in an error is still refused, naming its path', () => {
    const [a, b] = Pipe();
    const e = Object.assign(new Error('x'), { retry: () => {} });
    expect(() => a.send({ e })).toThrow(/Cannot send value\.e\.retry: it is a function/);
    a.close();
    b.close();
  });
});
