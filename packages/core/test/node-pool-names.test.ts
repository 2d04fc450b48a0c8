// Code moved from piscina, tinypool or workerpool meets their names: `new Pool({ maxThreads })`,
// `run(x, { transferList })`, a worker file's path or its `export default function` given as the
// task. Before, the options were refused without saying what they are called here, a path came
// back as the call `pool.apply(tasks../worker.mjs, ...)`, and a function named `default` as
// `defineTasks(import.meta.url, { default })`, which is a syntax error. Now each message says what
// to write, and every `defineTasks()` object it shows parses.
import { getContext, Pool, Process, ValidationError } from '@multiproc/core';
import { afterEach, describe, expect, it } from 'vitest';
import { thrown } from '../../../test-support/thrown.ts';
import { tasks } from './fixtures/arity-tasks.mjs';

const pools: Pool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.terminate()));
});

/** Every `defineTasks(import.meta.url, { ... })` object a message shows as code to write, checked to parse. */
function expectParsableObjects(message: string): void {
  const objects = [...message.matchAll(/defineTasks\(import\.meta\.url, (\{[^}]*\})\)/g)]
    .map((m) => m[1]!)
    .filter((object) => object !== '{ ... }');
  expect(objects.length).toBeGreaterThan(0);
  for (const object of objects) {
    expect(() => new Function('yourFunction', 'work', `return (${object});`), object).not.toThrow();
  }
}

/** A pool whose calls take anything, as a JavaScript caller's do. */
const loose = (pool: Pool) => pool as unknown as { apply(...args: unknown[]): Promise<unknown> };

// `export default function () {}` and `export default () => ...` are named `default`.
const defaultExport = { default: (x: number) => x }.default;

describe('options of other Node pools', () => {
  const CASES: [Record<string, unknown>, RegExp][] = [
    [{ maxThreads: 4 }, /maxThreads is processes here/],
    [{ minThreads: 1 }, /minThreads is minProcesses here/],
    [{ maxWorkers: 4 }, /maxWorkers is processes here/],
    [{ minWorkers: 1 }, /minWorkers is minProcesses here/],
    [{ maxQueueSize: 8 }, /maxQueueSize is maxQueue here/],
    [{ runtime: 'child_process' }, /runtime is context here: .*'child_process' is 'process'/],
    [{ workerType: 'process' }, /workerType is context here/],
    [{ isolateWorkers: true }, /isolateWorkers is maxTasksPerChild: 1 here/],
    [{ filename: './worker.mjs' }, /every call names its task.*defineTasks\(import\.meta\.url/],
    [{ workerData: { a: 1 } }, /initializer and initargs/],
    [{ concurrentTasksPerWorker: 2 }, /one task at a time/],
    [{ execArgv: [] }, /inherit the program's Node flags/],
    [{ name: 'square' }, /name picks.*each call names its task/],
    [
      { workerThreadOpts: { resourceLimits: {} } },
      /workerThreadOpts.*resourceLimits.*initializer and initargs/,
    ],
    [{ forkArgs: ['--x'] }, /forkArgs.*inherit the program's process\.argv/],
    [{ forkOpts: { env: {} } }, /forkOpts.*inherit the program's process\.env/],
    [{ closeTimeout: 1000 }, /closeTimeout.*close\(\), then await join\(\).*terminate\(\)/],
    // the other options their own suites pass (piscina test/option-validation.ts, test/histogram.ts,
    // tinypool test/resource-limits.test.ts, teardown, termination; workerpool test/Pool.test.js)
    [{ maxMemoryLimitBeforeRecycle: 1e7 }, /maxMemoryLimitBeforeRecycle.*resourceLimits.*maxTasksPerChild/],
    [{ teardown: 'namedTeardown' }, /no teardown task here/],
    [{ terminateTimeout: 10 }, /terminate\(\) stops every worker at once/],
    [{ workerTerminateTimeout: 10 }, /terminate\(\) stops every worker at once/],
    [{ queueStrategy: 'lifo' }, /order they were made.*'fifo' only/],
    [{ taskQueue: {} }, /order they were made.*maxQueue/],
    [{ recordTiming: false }, /No run or wait time histograms.*pool\.stats\(\)/],
    [{ workerHistogram: true }, /No histograms.*pool\.stats\(\)/],
    [{ useAtomics: false }, /no useAtomics here/],
    [{ atomics: 'disabled' }, /no atomics option here/],
    [{ niceIncrement: 5 }, /program's priority/],
    [{ emitStdStreams: true }, /stdout and stderr/],
  ];
  for (const [options, hint] of CASES) {
    it(`new Pool(${JSON.stringify(options)}) names what it is called here`, () => {
      const make = () => new Pool(options as never);
      expect(make).toThrow(ValidationError);
      expect(make).toThrow(new RegExp(`Unknown option '${Object.keys(options)[0]}'`));
      expect(make).toThrow(hint);
    });
  }

  it("piscina's maxQueue: 'auto' is answered with the number it stood for", () => {
    const make = () => new Pool({ maxQueue: 'auto' as never });
    expect(make).toThrow(ValidationError);
    expect(make).toThrow(/maxQueue.*'auto'.*processes \* processes/);
  });

  it('a Process given such a name gets no pool hint', () => {
    expect(() => new Process({ target: tasks.nap, maxThreads: 2 } as never)).toThrow(
      /^Unknown option 'maxThreads' for new Process\(\): it takes [^.]*\.$/,
    );
  });

  it("a call given run()'s or exec()'s options names what it is called here", {
    timeout: 15_000,
  }, async () => {
    const pool = new Pool({ processes: 1 });
    pools.push(pool);
    const buffer = new ArrayBuffer(8);
    const CALLS: [Record<string, unknown>, RegExp][] = [
      [
        { transferList: [buffer] },
        /unknown option 'transferList'.*move\(\).*pool\.apply\(task, \[move\(buffer\)\]\)/,
      ],
      [{ transfer: [buffer] }, /unknown option 'transfer'.*move\(\)/],
      [{ name: 'nap' }, /unknown option 'name'.*task reference names the function/],
      [{ on: () => {} }, /unknown option 'on'.*sendToCaller\(\).*onMessage/],
    ];
    for (const [options, hint] of CALLS) {
      const err = await thrown(() => pool.apply(tasks.nap, [1], options as never));
      expect(err).toBeInstanceOf(ValidationError);
      expect(err.message).toMatch(hint);
    }
    expect(await pool.apply(tasks.nap, [0])).toBeUndefined();
  });
});

describe('members of other Node pools', () => {
  // Read on a Pool, each is refused with what to write here, instead of `TypeError: pool.destroy is
  // not a function` (or `undefined`, which `pool.threads.length` turns into a TypeError later).
  const MEMBERS: [string, RegExp][] = [
    ['run', /run\(\) is apply\(\) here: await pool\.apply\(tasks\.fn, \[arg\]\)/],
    ['exec', /exec\('fn', \[a, b\]\) is apply\(\) here: await pool\.apply\(tasks\.fn, \[a, b\]\)/],
    ['destroy', /destroy\(\) is terminate\(\) here: await pool\.terminate\(\)/],
    ['threads', /threads.*pool\.stats\(\)\.workers/],
    ['queueSize', /queueSize.*pool\.stats\(\)\.queued/],
    ['completed', /completed.*pool\.stats\(\)\.completed/],
    ['needsDrain', /needsDrain.*QueueFullError/],
    ['proxy', /proxy\(\).*pool\.apply\(tasks\.fn, \[a, b\]\)/],
    ['cancelPendingTasks', /cancelPendingTasks\(\).*signal/],
    ['recycleWorkers', /recycleWorkers\(\).*maxTasksPerChild/],
    // what their own suites read (piscina test/post-task.ts, test/histogram.ts, test/simple-test.ts;
    // workerpool test/Pool.test.js): before, each read undefined (a NaN or a TypeError later)
    ['maxThreads', /maxThreads is pool\.processes here/],
    ['minThreads', /minThreads is the minProcesses option here/],
    ['options', /options are read one by one here: pool\.processes/],
    ['taskQueue', /taskQueue.*pool\.stats\(\)\.queued/],
    ['utilization', /utilization is not kept here: pool\.stats\(\)/],
    ['duration', /duration is not kept here/],
    ['waitTime', /waitTime is not kept here/],
    ['runTime', /runTime is not kept here/],
    ['histogram', /histogram is not kept here/],
  ];
  it('reading one throws ValidationError saying what to write; the pool still works', {
    timeout: 15_000,
  }, async () => {
    const pool = new Pool({ processes: 1 });
    pools.push(pool);
    for (const [name, hint] of MEMBERS) {
      const read = () => (pool as unknown as Record<string, unknown>)[name];
      expect(read, name).toThrow(ValidationError);
      expect(read, name).toThrow(hint);
      expect(Object.keys(pool), name).not.toContain(name);
    }
    expect(await pool.apply(tasks.nap, [0])).toBeUndefined();
  });

  it('a context pool and a subclass refuse them too', () => {
    class MyPool extends Pool {}
    const made = [new MyPool({ processes: 1 }), getContext('process').Pool({ processes: 1 })];
    pools.push(...made);
    for (const pool of made) {
      expect(() => (pool as unknown as { destroy: unknown }).destroy).toThrow(/terminate\(\)/);
    }
  });

  it('a subclass or wrapper may still assign one: it becomes its own property', () => {
    // A subclass counting its own `completed`, a shim giving piscina's `run` on a pool: before,
    // TypeError "Cannot set property completed ... which has only a getter".
    class Counting extends Pool {
      constructor() {
        super({ processes: 1 });
        (this as unknown as { completed: number }).completed = 0;
      }
    }
    const counting = new Counting();
    const shimmed = Object.assign(new Pool({ processes: 1 }), { run: () => 'shim' });
    pools.push(counting, shimmed);
    expect((counting as unknown as { completed: number }).completed).toBe(0);
    expect(shimmed.run()).toBe('shim');
    expect(() => (counting as unknown as { run: unknown }).run).toThrow(/apply\(\)/);
  });
});

describe('a worker file or its default export given as the task', () => {
  it('a path is answered with defineTasks() in that file, not with tasks.<path>', {
    timeout: 15_000,
  }, async () => {
    const pool = new Pool({ processes: 1 });
    pools.push(pool);
    for (const path of ['./worker.mjs', '/srv/app/worker.js', 'file:///srv/app/worker.ts']) {
      const err = await thrown(() => loose(pool).apply(path, [1]));
      expect(err).toBeInstanceOf(ValidationError);
      expect(err.message).toMatch(/runs task references, not files.*pool\.apply\(tasks\.work, /);
      expect(err.message).not.toContain('tasks./');
      expect(err.message).not.toContain('tasks.file');
      expectParsableObjects(err.message);
    }
    const named = await thrown(() => loose(pool).apply('my-task', [1]));
    expect(named.message).toContain('pool.apply(tasks["my-task"], ');
  });

  it('a function named default is shown as { default: yourFunction }', { timeout: 15_000 }, async () => {
    const pool = new Pool({ processes: 1 });
    pools.push(pool);
    const forms: (() => unknown)[] = [
      () => loose(pool).apply(defaultExport, [1]),
      () => pool.map(defaultExport as never, [1]),
      () => new Process({ target: defaultExport as never }),
      () => new Pool({ initializer: defaultExport as never }),
    ];
    for (const form of forms) {
      const err = await thrown(form);
      expect(err).toBeInstanceOf(ValidationError);
      expect(err.message).toContain('defineTasks(import.meta.url, { default: yourFunction })');
      expect(err.message).toContain('tasks.default');
      expectParsableObjects(err.message);
    }
  });
});
