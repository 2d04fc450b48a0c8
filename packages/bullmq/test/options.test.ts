/** Bad options fail at once with `ValidationError` naming the option (no Redis needed). */
import { AuthenticationError, ValidationError } from '@multiproc/core';
import { describe, expect, test } from 'vitest';
import * as api from '../dist/index.js';
import { Pool, startWorker } from '../dist/index.js';
import { tasks } from './fixtures/tasks.mjs';
import { SECRET } from './workers.js';

const bad = (fn: () => unknown, pattern: RegExp) => {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ValidationError);
  expect((thrown as ValidationError).code).toBe('MP_VALIDATION');
  expect((thrown as Error).message).toMatch(pattern);
};

describe('options', () => {
  test('the built package exports the pool, the worker starter and the error classes', () => {
    expect(Object.keys(api).sort()).toEqual([
      'AuthenticationError',
      'Pool',
      'RedisConnectionError',
      'UnknownTaskError',
      'VersionMismatchError',
      'startWorker',
    ]);
    // One AuthenticationError in the whole library: the ipc class, re-exported by core and here.
    expect(api.AuthenticationError).toBe(AuthenticationError);
  });

  test('Pool: a missing or short secret, bad options, options that belong to the workers', () => {
    const saved = process.env.MULTIPROC_SECRET;
    delete process.env.MULTIPROC_SECRET;
    try {
      bad(() => new Pool(), /MULTIPROC_SECRET/);
    } finally {
      if (saved !== undefined) process.env.MULTIPROC_SECRET = saved;
    }
    bad(() => new Pool({ secret: 'short' }), /16/);
    bad(() => new Pool({ secret: SECRET, prefix: 'has space' }), /prefix/);
    bad(() => new Pool({ secret: SECRET, processes: 0 }), /processes/);
    bad(() => new Pool({ secret: SECRET, attempts: 1.5 }), /attempts/);
    bad(() => new Pool({ secret: SECRET, connection: 'http://127.0.0.1:6379' }), /redis:\/\//);
    // A URL written without its scheme names what was given and the URL to write, credentials left out
    // (it said '(unparsable URL)' is not a URL; 'localhost:6379' parsed as the scheme 'localhost:').
    bad(() => new Pool({ secret: SECRET, connection: '10.0.0.5:6379' }), /'redis:\/\/10\.0\.0\.5:6379'/);
    bad(() => new Pool({ secret: SECRET, connection: 'localhost:6379' }), /'redis:\/\/localhost:6379'/);
    bad(() => new Pool({ secret: SECRET, connection: 'app:pw@db:6379' }), /^(?!.*pw).*'redis:\/\/db:6379'/);
    // What ioredis would misread: a socket path in a redis:// URL (read as the database number, so it
    // connected to 127.0.0.1:6379), a database that is no number, a unix: URL with a host, a bare port.
    const socketAdvice = /ioredis reads the path.*'\/run\/r\.sock'.*'unix:\/\/\/run\/r\.sock'/;
    bad(() => new Pool({ secret: SECRET, connection: 'redis:///run/r.sock' }), socketAdvice);
    bad(() => new Pool({ secret: SECRET, connection: { url: 'redis:///run/r.sock' } }), socketAdvice);
    bad(() => new Pool({ secret: SECRET, connection: 'redis://db:6379/cache' }), /database number.*'cache'/);
    bad(() => new Pool({ secret: SECRET, connection: 'unix://run/r.sock' }), /three slashes/);
    bad(() => new Pool({ secret: SECRET, connection: '6379' }), /'redis:\/\/127\.0\.0\.1:6379'/);
    // A scheme without its slashes, or slashes without their scheme, got 'redis://' put before it all
    // ('redis://redis:host:6379', 'redis:////db:6379'), advice refused in its turn; and a socket path
    // with a '?' (written %3F) went to ioredis, which cut the path there and read the rest as options.
    bad(() => new Pool({ secret: SECRET, connection: 'redis:db:6379' }), /write 'redis:\/\/db:6379'/);
    bad(() => new Pool({ secret: SECRET, connection: 'rediss:db:6379' }), /write 'rediss:\/\/db:6379'/);
    bad(() => new Pool({ secret: SECRET, connection: '//db:6379' }), /write 'redis:\/\/db:6379'/);
    bad(() => new Pool({ secret: SECRET, connection: 'redis:/run/r.sock' }), /write '\/run\/r\.sock'/);
    bad(
      () => new Pool({ secret: SECRET, connection: 'unix:///run/a%3Fb.sock' }),
      /path: '\/run\/a\?b\.sock'/,
    );
    const savedUrl = process.env.REDIS_URL;
    process.env.REDIS_URL = '10.0.0.5:6379';
    try {
      bad(() => new Pool({ secret: SECRET }), /REDIS_URL.*'redis:\/\/10\.0\.0\.5:6379'/);
    } finally {
      if (savedUrl === undefined) delete process.env.REDIS_URL;
      else process.env.REDIS_URL = savedUrl;
    }
    bad(() => new Pool({ secret: SECRET, context: 'process' } as any), /context.*--context/);
    bad(() => new Pool({ secret: SECRET, maxTasksPerChild: 3 } as any), /--max-tasks-per-child/);
    bad(() => new Pool({ secret: SECRET, colour: 'red' } as any), /Unknown option 'colour'/);
    bad(() => new Pool({ secret: SECRET, moduleNames: { 'a#b': './x.js' } }), /module name/);
    bad(() => new Pool({ secret: SECRET, noWorkerWarning: 0 }), /noWorkerWarning.*or false/);
    bad(() => new Pool({ secret: SECRET, noWorkerWarning: true } as any), /noWorkerWarning.*or false/);
  });

  test('Pool: each option that belongs to the workers gets advice a user can follow', () => {
    const advice = {
      context: /--context thread or --context process/,
      maxTasksPerChild: /start multiproc-worker with --max-tasks-per-child <n>/,
      resourceLimits: /start multiproc-worker with --max-old-space-size <MB>/,
      initializer: /top level of a task module given to multiproc-worker's --tasks/,
      initargs: /top level of a task module/,
      minProcesses: /--concurrency <n>.*start or stop multiproc-worker processes/,
      idleTimeout: /start or stop multiproc-worker processes/,
      maxQueue: /is not supported: jobs wait in Redis/,
    };
    for (const [option, pattern] of Object.entries(advice)) {
      bad(() => new Pool({ secret: SECRET, [option]: 1 } as any), pattern);
      // No placeholder where a flag should be ("start multiproc-worker with (not supported yet)").
      bad(() => new Pool({ secret: SECRET, [option]: 1 } as any), /^(?!.*with \().*$/);
    }
  });

  test('startWorker: no task modules, a bad prefix or context', async () => {
    for (const [options, pattern] of [
      [{ tasks: [], secret: SECRET }, /--tasks/],
      [{ tasks: ['./x.js'], secret: SECRET, prefix: 'a b' }, /prefix/],
      [{ tasks: ['./x.js'], secret: SECRET, context: 'fork' }, /context/],
      [{ tasks: ['./x.js'], secret: SECRET, concurrency: 0 }, /concurrency/],
      // The local Pool's own limit, named as this function's option (not the Pool's 'processes').
      [{ tasks: ['./x.js'], secret: SECRET, concurrency: 4097 }, /'concurrency' .*from 1 to 4096/],
      [{ tasks: ['./x.js'], secret: SECRET, maxOldSpaceSize: 8 }, /'maxOldSpaceSize' .*>= 16/],
    ] as const) {
      const error = await startWorker(options as any).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as Error).message).toMatch(pattern);
    }
  });

  // An unknown key was ignored: the worker loaded its tasks and ran with the default it meant to change.
  test('startWorker: an unknown option is named, with the options it takes and the right spelling', async () => {
    const error = await startWorker({ tasks: ['./x.js'], secret: SECRET, concurency: 2 } as any).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ValidationError);
    const message = (error as Error).message;
    expect(message).toContain("'concurency'");
    for (const key of ['tasks', 'connection', 'concurrency', 'lockDuration', 'quiet'])
      expect(message).toContain(key);
    expect(message).toContain('spelt concurrency');
  });

  test('startWorker: a task module path with no file names the working directory, and a Windows path its / form', async () => {
    const cases: [string, RegExp][] = [
      ['./no-such-tasks.js', /no file at .*no-such-tasks\.js.*working directory/],
    ];
    if (process.platform !== 'win32')
      cases.push(['.\\dist\\tasks.js', /Windows path.*'\.\/dist\/tasks\.js'/]);
    for (const [path, pattern] of cases) {
      const error = await startWorker({ tasks: [path], secret: SECRET }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as Error).message).toMatch(pattern);
    }
  });

  test('a loop over an unawaited apply/map/starmap says to await it, as the local Pool does', async () => {
    const pool = new Pool({ secret: SECRET });
    pool.close(); // the calls then reject with PoolClosedError: no Redis needed
    const calls = [
      pool.apply(tasks.square, [2]),
      pool.map(tasks.square, [1, 2]),
      pool.starmap(tasks.add, [[1, 2]]),
    ];
    for (const call of calls) {
      expect(() => [...(call as unknown as Iterable<unknown>)]).toThrow(TypeError);
      expect(() => [...(call as unknown as Iterable<unknown>)]).toThrow(/returns a Promise.*await it first/);
      await expect(call).rejects.toThrow(/closed/);
    }
    await pool.terminate();
  });
});
