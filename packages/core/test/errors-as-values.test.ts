// An error a task RETURNS (or gets as an argument) follows the rules of one it throws (CONTRACT,
// Pool; errors.test.ts): built-ins come back as themselves, multiproc's classes as the same class,
// anything else as an Error with its name, message and own fields. Structured clone alone kept
// only a built-in class: a ValidationError of ours or a user's class came back as a bare Error.
import * as core from '@multiproc/core';
import * as ipc from '@multiproc/ipc';
import * as shared from '@multiproc/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks } from './fixtures/error-tasks.mjs';

describe.each(matrix(import.meta.url))('errors as values, %s pool', (context) => {
  let pool: core.Pool;
  beforeAll(() => {
    pool = new core.Pool({ processes: 1, context });
  });
  afterAll(async () => {
    await pool.terminate();
  });

  it.each([
    ['ValidationError', shared.ValidationError],
    ['EOFError', ipc.EOFError],
    ['WorkerCrashedError', core.WorkerCrashedError],
    ['SerializationError', shared.SerializationError],
  ] as const)('a returned %s of ours comes back as the same class, with its fields', async (name, C) => {
    const err: any = await pool.apply(tasks.returnThrown, ['throwOurs', name]);
    expect(Object.getPrototypeOf(err)).toBe(C.prototype);
    expect([err.name, err.message, err.code]).toEqual([name, `ours ${name}`, C.prototype.code]);
    expect(err.stack).toContain('error-tasks.mjs');
    if (name === 'ValidationError') expect(err.issues).toEqual([{ path: ['x'] }]);
    if (name === 'WorkerCrashedError') expect([err.exitCode, err.taskIndex]).toEqual([3, 2]);
    if (name === 'SerializationError') expect(err.path).toBe('args[0].cb');
  });

  it('a returned AggregateError keeps its errors, each by class', async () => {
    const err: any = await pool.apply(tasks.returnThrown, ['throwBuiltin', 'AggregateError']);
    expect(Object.getPrototypeOf(err)).toBe(AggregateError.prototype);
    expect(err.errors[0]).toBeInstanceOf(TypeError);
    expect(err.errors[1]).toBeInstanceOf(ipc.EOFError);
  });

  it("a returned error of the task's own class is an Error with its name and fields, not ours", async () => {
    const err: any = await pool.apply(tasks.returnThrown, ['throwUser', 'ValidationError']);
    expect(err).not.toBeInstanceOf(core.ProcessError);
    expect(Object.getPrototypeOf(err)).toBe(Error.prototype);
    expect([err.name, err.message, err.code, err.field]).toEqual([
      'ValidationError',
      'user validation',
      'USER_CODE',
      'email',
    ]);
    const http: any = await pool.apply(tasks.returnThrown, ['throwUser', 'HttpError']);
    expect(Object.getPrototypeOf(http)).toBe(TypeError.prototype);
    expect([http.name, http.status]).toEqual(['HttpError', 404]);
  });

  it('a returned error keeps its cause by class, and a DOMException stays one', async () => {
    const err: any = await pool.apply(tasks.returnThrown, ['throwWithCause']);
    expect(err).toBeInstanceOf(RangeError);
    expect(err.cause).toBeInstanceOf(shared.LockError);
    const dom: any = await pool.apply(tasks.returnThrown, ['throwDom', 'DataCloneError']);
    expect(dom).toBeInstanceOf(DOMException);
    expect([dom.name, dom.code]).toEqual(['DataCloneError', 25]);
  });

  it('errors nested in arguments and results, and in map results, travel the same way', async () => {
    class Mine extends Error {
      override name = 'Mine';
      extra = 7;
    }
    const sent = { list: [new shared.LockError('held'), new Mine('mine')], when: 1 };
    const back: any = await pool.apply(tasks.echo, [sent]);
    expect(back.when).toBe(1);
    expect(back.list[0]).toBeInstanceOf(shared.LockError);
    expect(Object.getPrototypeOf(back.list[1])).toBe(Error.prototype);
    expect([back.list[1].name, back.list[1].message, back.list[1].extra]).toEqual(['Mine', 'mine', 7]);
    const mapped: any[] = await pool.map(tasks.echo, [new ipc.QueueEmptyError('empty'), 3]);
    expect(mapped[0]).toBeInstanceOf(ipc.QueueEmptyError);
    expect(mapped[1]).toBe(3);
  });
});
