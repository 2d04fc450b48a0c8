/**
 * Bad input to `Pool` and contexts: options, unsendable arguments, task references that cannot
 * run, closed pools, results asked too early, Python spellings and start methods.
 */
import { getContext, Pool, setStartMethod } from '@multiproc/core';
import { Lock } from '@multiproc/shared';
import { tasks } from '../tasks.js';
import { Account, broken, missing, plainFunction, poolWorks, unregistered } from './helpers.js';
import { assert, type Case } from './types.js';

/** Pool construction: every bad option throws at once, naming it. */
const poolOptions: Case[] = [
  ['processes: 0', { processes: 0 }, 'processes'],
  ['processes: -1', { processes: -1 }, 'processes'],
  ['processes: NaN', { processes: Number.NaN }, 'processes'],
  ['processes: 1.5', { processes: 1.5 }, 'processes'],
  ['processes: 1e9', { processes: 1e9 }, 'processes'],
  ["context: 'spawn'", { context: 'spawn' }, "'process'"],
  ['maxTasksPerChild: 0', { maxTasksPerChild: 0 }, 'maxTasksPerChild'],
  ['maxtasksperchild: 5 (Python)', { maxtasksperchild: 5 }, 'maxTasksPerChild'],
  ['maxQueue: 0', { maxQueue: 0 }, 'maxQueue'],
  ['idleTimeout: -5', { idleTimeout: -5 }, 'idleTimeout'],
  [
    'resourceLimits: { maxOldGenerationSizeMb: -1 }',
    { resourceLimits: { maxOldGenerationSizeMb: -1 } },
    'maxOldGenerationSizeMb',
  ],
  ['resourceLimits: { maxOldSpaceSize: 64 }', { resourceLimits: { maxOldSpaceSize: 64 } }, 'maxOldSpaceSize'],
  ['initializer: a plain function', { initializer: plainFunction }, 'defineTasks'],
  ["initargs: 'x'", { initargs: 'x' }, 'initargs'],
].map(([input, options, says]) => ({
  api: 'new Pool(options)',
  input: input as string,
  expect: 'ValidationError' as const,
  says: says as string,
  run: () => new Pool(options as never),
}));

export const poolCases: Case[] = [
  ...poolOptions,
  {
    api: 'new Pool(5)',
    input: "Python's positional processes",
    expect: 'ValidationError',
    says: 'new Pool({ processes: 5 })',
    run: () => new Pool(5 as never),
  },
  {
    api: "getContext('spawn')",
    input: "Python's start method",
    expect: 'ContextError',
    says: "'process'",
    run: () => getContext('spawn' as never),
  },
  {
    api: "getContext('fork')",
    input: "Python's start method",
    expect: 'ContextError',
    says: "'process'",
    run: () => getContext('fork' as never),
  },
  {
    api: "setStartMethod('forkserver')",
    input: "Python's start method",
    expect: 'ContextError',
    says: "'process'",
    run: () => setStartMethod('forkserver' as never),
  },
  {
    api: 'pool.apply(plainFunction, [1])',
    input: 'a task that is not a TaskRef',
    expect: 'ValidationError',
    says: 'defineTasks',
    async: true,
    run: (_, env) => env.pool('thread').apply(plainFunction as never, [1] as never),
    next: poolWorks,
  },
  {
    api: "pool.apply(task, 'x')",
    input: 'args not an array',
    expect: 'ValidationError',
    says: 'args',
    async: true,
    run: (_, env) => env.pool('thread').apply(tasks.identity, 'x' as never),
    next: poolWorks,
  },
  {
    api: 'pool.map(task, 5)',
    input: 'not an iterable',
    expect: 'ValidationError',
    says: 'iterable',
    async: true,
    run: (_, env) => env.pool('thread').map(tasks.identity, 5 as never),
    next: poolWorks,
  },
  {
    api: 'pool.map(task, xs, { chunksize: 0 })',
    input: 'a zero chunksize',
    expect: 'ValidationError',
    says: 'chunksize',
    async: true,
    run: (_, env) => env.pool('thread').map(tasks.identity, [1], { chunksize: 0 }),
    next: poolWorks,
  },
  {
    api: 'pool.apply(task, [], { timeout: -1 })',
    input: "a negative timeout (a deadline already passed: as in Python's multiprocessing, it does not wait)",
    expect: 'TimeoutError',
    async: true,
    run: (_, env) => env.pool('thread').apply(tasks.identity, [1], { timeout: -1 }),
    next: poolWorks,
  },
  {
    api: 'pool.apply(task, [], { timeout: NaN })',
    input: 'a timeout that is not a number',
    expect: 'ValidationError',
    says: 'timeout',
    async: true,
    run: (_, env) => env.pool('thread').apply(tasks.identity, [1], { timeout: Number.NaN }),
    next: poolWorks,
  },
  {
    api: "pool.apply(task, [], { signal: 'x' })",
    input: 'a signal that is not an AbortSignal',
    expect: 'ValidationError',
    says: 'signal',
    async: true,
    run: (_, env) => env.pool('thread').apply(tasks.identity, [1], { signal: 'x' as never }),
    next: poolWorks,
  },
  {
    api: 'pool.apply(task, [() => 1])',
    input: 'a function argument',
    expect: 'SerializationError',
    says: 'args[0]',
    async: true,
    run: (_, env) => env.pool('thread').apply(tasks.identity, [() => 1]),
    next: poolWorks,
  },
  {
    api: 'pool.apply(task, [new Account()])',
    input: 'a class instance with methods (valid: it arrives as its fields, as a structured clone copies it)',
    expect: 'works',
    async: true,
    run: (_, env) => env.pool('process').apply(tasks.identity, [new Account()]),
    check: (v) =>
      assert(
        Object.getPrototypeOf(v) === Object.prototype && v.balance === 0,
        'a plain object with its fields',
      ),
  },
  {
    api: 'pool.apply(task, [{ w: new WeakMap() }])',
    input: 'a WeakMap argument',
    expect: 'SerializationError',
    says: 'args[0].w',
    async: true,
    run: (_, env) => env.pool('thread').apply(tasks.identity, [{ w: new WeakMap() }]),
    next: poolWorks,
  },
  {
    api: 'pool.apply(task, [circular])',
    input: 'a circular argument (valid)',
    expect: 'works',
    async: true,
    run: (_, env) => {
      const o: Record<string, unknown> = { n: 1 };
      o.self = o;
      return env.pool('process').apply(tasks.identity, [o]);
    },
    check: (v) => assert(v.self === v && v.n === 1, 'the cycle came back'),
  },
  {
    api: "pool('process').apply(task, [new Lock()])",
    input: 'shared memory to a process',
    expect: 'ContextError',
    says: 'args[0]',
    async: true,
    run: (_, env) => env.pool('process').apply(tasks.identity, [new Lock()]),
    next: poolWorks,
  },
  {
    api: 'pool.apply(brokenModuleTask)',
    input: 'a task module that throws on import',
    expect: 'ProcessError',
    says: 'throws-on-import',
    async: true,
    run: (_, env) => env.pool('thread').apply(broken.f, []),
    next: poolWorks,
  },
  {
    api: 'pool.apply(missingModuleTask)',
    input: 'a task module that does not exist',
    expect: 'ProcessError',
    says: 'does-not-exist',
    async: true,
    run: (_, env) => env.pool('process').apply(missing.f, []),
    next: poolWorks,
  },
  {
    api: 'pool.apply(unregisteredTask)',
    input: 'a task name its module does not register',
    expect: 'ProcessError',
    says: 'notRegistered',
    async: true,
    run: (_, env) => env.pool('thread').apply(unregistered.notRegistered, []),
    next: poolWorks,
  },
  {
    api: 'pool.apply_async(task)',
    input: "Python's spelling",
    expect: 'ValidationError',
    says: 'applyAsync()',
    run: (_, env) => (env.pool('thread') as never as Record<string, () => void>).apply_async!(),
    next: poolWorks,
  },
  {
    api: 'res.get(0.5)',
    input: 'a fraction of a millisecond, the task still running (waits that long)',
    expect: 'TimeoutError',
    async: true,
    setup: (env) => ({ r: env.pool('thread').applyAsync(tasks.sleep, [300]) }),
    run: ({ r }) => r.get(0.5),
    next: ({ r }) => r.get(10_000),
  },
  {
    api: 'res.get({ timeout: 1 })',
    input: 'the options form, too short',
    expect: 'TimeoutError',
    async: true,
    setup: (env) => ({ r: env.pool('thread').applyAsync(tasks.sleep, [300]) }),
    run: ({ r }) => r.get({ timeout: 1 }),
    next: ({ r }) => r.get(10_000),
  },
  {
    api: 'res.successful()',
    input: 'asked before the result is ready',
    expect: 'ProcessError',
    says: 'ready',
    setup: (env) => ({ r: env.pool('thread').applyAsync(tasks.sleep, [300]) }),
    run: ({ r }) => r.successful(),
    next: ({ r }) => r.get(10_000),
  },
  {
    api: 'pool.apply(task) after close()',
    input: 'a closed pool',
    expect: 'PoolClosedError',
    async: true,
    setup: () => {
      const p = new Pool({ processes: 1 });
      p.close();
      return p;
    },
    run: (p) => p.apply(tasks.identity, [1]),
    teardown: (p) => p.terminate(),
  },
  {
    api: 'pool.imap(task, xs) after close()',
    input: 'a closed pool (no Promise: throws at once)',
    expect: 'PoolClosedError',
    setup: () => {
      const p = new Pool({ processes: 1 });
      p.close();
      return p;
    },
    run: (p) => p.imap(tasks.identity, [1]),
    teardown: (p) => p.terminate(),
  },
  {
    api: 'pool.join() before close()',
    input: 'joining a running pool',
    expect: 'ProcessError',
    says: 'close()',
    async: true,
    setup: () => new Pool({ processes: 1 }),
    run: (p) => p.join(),
    next: (p) => p.apply(tasks.identity, [1]),
    teardown: (p) => p.terminate(),
  },
];
