// Errors thrown by a task come back by the real identity of their class (CONTRACT, Pool): built-ins
// as themselves, multiproc's classes from every package as the same class, anything else as an
// Error with the task's name, message and own fields, never as ours because the name matches.
import * as core from '@multiproc/core';
import * as ipc from '@multiproc/ipc';
import * as shared from '@multiproc/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
// @ts-expect-error: a plain JavaScript fixture (no types), loaded as is by the workers.
import { tasks } from './fixtures/error-tasks.mjs';

type Ctor = abstract new (...args: any[]) => Error;

/** Every error class multiproc exports from any package, once each. */
const OURS: [string, Ctor][] = [
  ...new Map(
    (Object.values({ ...shared, ...ipc, ...core }) as unknown[])
      .filter(
        (C): C is Ctor =>
          typeof C === 'function' && (C === core.ProcessError || C.prototype instanceof core.ProcessError),
      )
      .map((C) => [(C.prototype as Error).name, C] as [string, Ctor]),
  ),
];

const BUILTINS: [string, Ctor][] = (
  [
    ['Error', Error],
    ['TypeError', TypeError],
    ['RangeError', RangeError],
    ['SyntaxError', SyntaxError],
    ['ReferenceError', ReferenceError],
    ['EvalError', EvalError],
    ['URIError', URIError],
    ['AggregateError', AggregateError],
    ['SuppressedError', (globalThis as any).SuppressedError],
    ['WebAssembly.CompileError', (globalThis as any).WebAssembly.CompileError],
    ['WebAssembly.LinkError', (globalThis as any).WebAssembly.LinkError],
    ['WebAssembly.RuntimeError', (globalThis as any).WebAssembly.RuntimeError],
  ] as [string, Ctor | undefined][]
).filter((row): row is [string, Ctor] => row[1] !== undefined);

async function rejection(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('the task did not throw');
}

it('the table covers every class of every package', () => {
  const names = OURS.map(([name]) => name);
  for (const name of [
    'ProcessError',
    'ValidationError',
    'EOFError',
    'QueueEmptyError',
    'QueueFullError',
    'BufferTooShortError',
    'WorkerCrashedError',
    'PoolClosedError',
    'ClosedError',
    'TimeoutError',
  ]) {
    expect(names).toContain(name);
  }
});

it("re-exports every error class of ipc, as the identical class (a core user meets them on a Process's Connections)", () => {
  const ipcErrors = Object.keys(ipc).filter((name) => name.endsWith('Error'));
  expect(ipcErrors).toEqual(
    expect.arrayContaining(['BrokenPipeError', 'BufferTooShortError', 'MessageTooLongError']),
  );
  for (const name of ipcErrors) {
    expect((core as Record<string, unknown>)[name], name).toBe((ipc as Record<string, unknown>)[name]);
  }
});

describe.each(matrix(import.meta.url))('errors from a %s pool task', (context) => {
  let pool: core.Pool;
  beforeAll(() => {
    pool = new core.Pool({ processes: 2, context });
  });
  afterAll(async () => {
    await pool.terminate();
  });

  it.each(OURS)('%s comes back as the same class', async (name, C) => {
    const err = await rejection(pool.apply(tasks.throwOurs, [name]));
    expect(err).toBeInstanceOf(C);
    expect(Object.getPrototypeOf(err)).toBe(C.prototype);
    expect(err.name).toBe(name);
    if (name === 'WorkerEntryNotFoundError') {
      expect(err.message).toContain('/nowhere/pool-worker.js');
      expect([err.entry, err.searched]).toEqual(['pool', ['/nowhere/pool-worker.js']]);
    } else if (name === 'WorkerStartError') {
      expect(err.message).toContain('EAGAIN');
      expect([err.context, err.errno, err.syscall]).toEqual(['process', 'EAGAIN', 'ours WorkerStartError']);
    } else expect(err.message).toBe(`ours ${name}`);
    // ConnectError's code is the system error's, as on Node's error it stands in for.
    if (name === 'ConnectError') {
      expect([err.code, err.errno, err.syscall, err.address]).toEqual([
        'ECONNREFUSED',
        'ECONNREFUSED',
        'connect',
        ['127.0.0.1', 1],
      ]);
    } else expect(err.code).toBe((C.prototype as any).code);
    expect(err.stack).toContain('error-tasks.mjs');
    expect(Object.prototype.toString.call(err)).toBe('[object Error]');
    if (name === 'SerializationError') expect(err.path).toBe('args[0].cb');
    if (name === 'WorkerCrashedError')
      expect([err.exitCode, err.signal, err.taskIndex]).toEqual([3, null, 2]);
    if (name === 'BufferTooShortError') expect([...err.data]).toEqual([1, 2, 3]);
    if (name === 'ValidationError') expect(err.issues).toEqual([{ path: ['x'] }]);
  });

  it.each(BUILTINS)('%s comes back as itself', async (name, C) => {
    const err = await rejection(pool.apply(tasks.throwBuiltin, [name]));
    expect(Object.getPrototypeOf(err)).toBe(C.prototype);
    expect(err.name).toBe(C.prototype.name);
    expect(err.message).toBe(`builtin ${name}`);
    expect(err.stack).toContain('error-tasks.mjs');
    if (name === 'AggregateError') {
      expect(err.errors).toHaveLength(2);
      expect(err.errors[0]).toBeInstanceOf(TypeError);
      expect(err.errors[1]).toBeInstanceOf(ipc.EOFError);
      expect(err.errors[1].message).toBe('second');
    }
    if (name === 'SuppressedError') {
      expect(err.error).toBeInstanceOf(RangeError);
      expect(err.suppressed.message).toBe('hidden');
    }
  });

  it("a task's own AbortSignal.timeout() stays a DOMException TimeoutError", async () => {
    const err = await rejection(pool.apply(tasks.throwDomTimeout, []));
    expect(err).toBeInstanceOf(DOMException);
    expect(err).not.toBeInstanceOf(core.TimeoutError);
    expect(err.name).toBe('TimeoutError');
    expect(err.code).toBe(DOMException.TIMEOUT_ERR);
    const other = await rejection(pool.apply(tasks.throwDom, ['DataCloneError']));
    expect(other).toBeInstanceOf(DOMException);
    expect([other.name, other.message, other.code]).toEqual(['DataCloneError', 'dom DataCloneError', 25]);
  });

  it.each(['ValidationError', 'TimeoutError'])(
    "a task's own class named %s is not ours: an Error with its name, message and fields",
    async (name) => {
      const err = await rejection(pool.apply(tasks.throwUser, [name]));
      expect(err).not.toBeInstanceOf(core.ProcessError);
      expect(Object.getPrototypeOf(err)).toBe(Error.prototype);
      expect(err.name).toBe(name);
      expect(err.stack).toContain('error-tasks.mjs');
      if (name === 'ValidationError') {
        expect(err.code).toBe('USER_CODE');
        expect(err.field).toBe('email');
        expect(err.message).toBe('user validation');
      }
    },
  );

  it('a user subclass of a built-in comes back as that built-in, with its name and fields', async () => {
    const err = await rejection(pool.apply(tasks.throwUser, ['HttpError']));
    expect(Object.getPrototypeOf(err)).toBe(TypeError.prototype);
    expect([err.name, err.message, err.status]).toEqual(['HttpError', 'user http', 404]);
  });

  it('keeps cause and nested errors by class too', async () => {
    const err = await rejection(pool.apply(tasks.throwWithCause, []));
    expect(err).toBeInstanceOf(RangeError);
    expect(err.cause).toBeInstanceOf(shared.LockError);
    expect(err.cause.message).toBe('inner lock');
    const agg = await rejection(pool.apply(tasks.throwNested, []));
    expect(agg).toBeInstanceOf(AggregateError);
    expect(agg.errors[0]).toBeInstanceOf(core.TimeoutError);
    expect(agg.errors[1]).toBeInstanceOf(TypeError);
  });

  it('map and imap reject with the same classes', async () => {
    await expect(pool.map(tasks.throwOurs, ['EOFError'])).rejects.toBeInstanceOf(ipc.EOFError);
    const it = pool.imap(tasks.throwBuiltin, ['AggregateError']);
    const err = await rejection(it.next());
    expect(err).toBeInstanceOf(AggregateError);
    expect(err.errors).toHaveLength(2);
  });
});
