// Bad input to core's functions gets a named error that says what to do: options that are not an
// object, a misspelt Pool option, defineTasks() without an object of functions, a preload that is
// not a list of modules. A URL object stands for its href wherever a module URL is taken.
import {
  defineTasks,
  disableWarmStart,
  enableWarmStart,
  getContext,
  Pool,
  Process,
  ValidationError,
} from '@multiproc/core';
import { afterEach, describe, expect, it } from 'vitest';
import { tasks } from './fixtures/pool-tasks.ts';
import { poolMaker } from './helpers.ts';

const makePool = poolMaker();
afterEach(() => disableWarmStart());

describe('Pool options', () => {
  it('a misspelt option is named, with every option the Pool takes', () => {
    expect(() => new Pool({ proceses: 2 } as never)).toThrow(
      "Unknown option 'proceses' for new Pool(): it takes processes, context, initializer, initargs, maxTasksPerChild, minProcesses, idleTimeout, maxQueue, resourceLimits.",
    );
    expect(() => new Pool({ maxtasksperchild: 2 } as never)).toThrow(
      /In multiproc it is spelt maxTasksPerChild/,
    );
    expect(() => new Pool({ kwargs: [] } as never)).toThrow(/'kwargs' is spelt args/);
  });

  it('a number or a string as the options says options are an object, also for a context Pool', () => {
    for (const make of [
      () => new Pool(4 as never),
      () => new (getContext('process').Pool)(4 as never),
      () => new (getContext('thread').Pool)('x' as never),
    ]) {
      expect(make).toThrow(ValidationError);
      expect(make).toThrow(/^new Pool\(\): options are an object \(it takes \{ processes, /);
    }
    expect(() => new Pool(4 as never)).toThrow(/For 4 workers write new Pool\(\{ processes: 4 \}\)/);
  });

  it('a Pool of a context with null options keeps its context', async () => {
    const pool = makePool(null as never);
    expect(pool).toBeInstanceOf(Pool);
    const ctxPool = new (getContext('process').Pool)(null);
    try {
      expect(await ctxPool.apply(tasks.workerName, [])).toMatch(/^ProcessPoolWorker-\d+$/);
    } finally {
      await ctxPool.terminate();
    }
  }, 30_000);

  it('new Process(5) and a context Process(5) say options are an object', () => {
    for (const make of [
      () => new Process(5 as never),
      () => new (getContext('process').Process)(5 as never),
    ]) {
      expect(make).toThrow(/^new Process\(\): options are an object \(it takes \{ target, /);
    }
  });
});

describe('defineTasks()', () => {
  it('refuses null or a number as the functions', () => {
    expect(() => defineTasks(import.meta.url, null as never)).toThrow(
      /defineTasks\(\) takes the functions as an object, got null/,
    );
    expect(() => defineTasks(import.meta.url, 5 as never)).toThrow(/got the number 5/);
  });

  it('takes a URL object of the module as its href', () => {
    const viaUrl = defineTasks(new URL(import.meta.url), { viaUrlObject: () => 1 });
    expect(viaUrl.viaUrlObject.module).toBe(import.meta.url);
  });
});

describe('enableWarmStart()', () => {
  it('refuses a preload that is not a list of task modules, naming the bad entry', () => {
    expect(() => enableWarmStart({ preload: 5 as never })).toThrow(ValidationError);
    expect(() => enableWarmStart({ preload: 5 as never })).toThrow(/preload is an array of task modules/);
    expect(() => enableWarmStart({ preload: [5] as never })).toThrow(/the number 5 at preload\[0\]/);
  });

  it('takes task refs, URL strings and URL objects, and null as no options', () => {
    expect(() =>
      enableWarmStart({
        context: 'thread',
        preload: [tasks.square, new URL(tasks.square.module), tasks.square.module],
      }),
    ).not.toThrow();
    expect(() => enableWarmStart(null)).not.toThrow();
  });

  it('refuses a relative path, a Windows path off Windows and a non-file URL at once, saying what to pass', () => {
    const entries = ['./tasks.js', 'src/tasks.js', 'https://example.com/tasks.js'];
    if (process.platform !== 'win32') entries.push('C:\\app\\tasks.js');
    for (const entry of entries) {
      const call = () => enableWarmStart({ context: 'thread', preload: [tasks.square, entry] });
      expect(call).toThrow(ValidationError);
      expect(call).toThrow(/preload\[1\].*absolute path/);
    }
    expect(() => enableWarmStart({ preload: [new URL('data:text/javascript,0')] })).toThrow(ValidationError);
  });
});
