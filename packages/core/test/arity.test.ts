// Process and Pool methods refuse arguments they do not take (Python raises TypeError), instead
// of ignoring them: p.kill('SIGINT') sent SIGKILL, p.terminate(5000) and pool.terminate(5000)
// ignored their number. Sync methods throw, Promise-returning ones reject; nothing is done.
// Also the other misuse core now refuses or names: setStartMethod's force, currentProcess().daemon,
// a misspelt target, a count option's message, an input whose iterator is not one.
import {
  activeChildren,
  ContextError,
  cpuCount,
  currentProcess,
  getAllStartMethods,
  getContext,
  getStartMethod,
  isMain,
  Pool,
  Process,
  ProcessError,
  parentProcess,
  setStartMethod,
  ValidationError,
} from '@multiproc/core';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { tasks } from './fixtures/arity-tasks.mjs';

const started: Process[] = [];
const pools: Pool[] = [];
afterEach(async () => {
  for (const p of started.splice(0)) {
    try {
      p.kill(); // does nothing once it ended
    } catch {
      // closed by the test
    }
  }
  await Promise.all(pools.splice(0).map((p) => p.terminate()));
});

const call = (f: Function, ...args: unknown[]) => (f as (...a: unknown[]) => unknown)(...args);

describe.each(matrix(import.meta.url))('a %s Process', (context) => {
  it('refuses kill(signal), terminate(ms), start(x), isAlive(x), join(ms, x), close(x): nothing is done', {
    timeout: 20_000,
  }, async () => {
    const p = new Process({ target: tasks.nap, args: [60_000], context });
    started.push(p);
    expect(() => call(p.start.bind(p), 1)).toThrow(ValidationError);
    expect(p.pid).toBeNull(); // not started
    p.start();
    expect(() => call(p.kill.bind(p), 'SIGINT')).toThrow(
      /Process\.kill\(\) takes no argument.*process\.kill\(p\.pid, signal\)/,
    );
    await expect(call(p.terminate.bind(p), 5000) as Promise<void>).rejects.toThrow(ValidationError);
    await expect(call(p.join.bind(p), 10, 'x') as Promise<void>).rejects.toThrow(ValidationError);
    expect(() => call(p.isAlive.bind(p), 1)).toThrow(ValidationError);
    expect(p.isAlive()).toBe(true); // none of them stopped it
    expect(p.exitCode).toBeNull();
    p.kill();
    await p.join();
    expect(p.exitCode).toBe(-9);
    expect(() => call(p.close.bind(p), 1)).toThrow(ValidationError);
    p.close();
  });
});

describe('Pool', () => {
  it('refuses terminate(ms), join(ms), close(x), stats(x) and a second constructor argument', {
    timeout: 20_000,
  }, async () => {
    expect(() => new (Pool as new (...args: unknown[]) => Pool)({ processes: 1 }, 2)).toThrow(
      /new Pool\(\) takes one options object/,
    );
    const pool = new Pool({ processes: 1 });
    pools.push(pool);
    await expect(call(pool.terminate.bind(pool), 5000) as Promise<void>).rejects.toThrow(
      /Pool\.terminate\(\) takes no argument/,
    );
    expect(() => call(pool.close.bind(pool), 1)).toThrow(ValidationError);
    expect(() => call(pool.stats.bind(pool), 1)).toThrow(ValidationError);
    expect(await pool.apply(tasks.nap, [1])).toBeUndefined(); // still running
    pool.close();
    await expect(call(pool.join.bind(pool), 1000) as Promise<void>).rejects.toThrow(
      /Pool\.join\(\) takes no argument/,
    );
    await pool.join();
  });

  it('refuses a stray argument to every call method (Python forms named): nothing is submitted', {
    timeout: 20_000,
  }, async () => {
    const pool = new Pool({ processes: 1 });
    pools.push(pool);
    const cb = () => {};
    // Python's apply_async(f, args, kwds, callback): the callback was dropped, never called.
    expect(() => call(pool.applyAsync.bind(pool), tasks.nap, [1], {}, cb)).toThrow(
      /Pool\.applyAsync\(\) takes a task, its argument list and an optional options object, but was given 4 arguments: .*\{ callback, errorCallback \}/,
    );
    await expect(call(pool.apply.bind(pool), tasks.nap, [1], {}, 'x') as Promise<void>).rejects.toThrow(
      /Pool\.apply\(\) takes .* given 4 arguments: Python's apply\(f, args, kwds\) has no kwds here/,
    );
    for (const m of ['map', 'starmap'] as const) {
      await expect(call(pool[m].bind(pool), tasks.nap, [], {}, 1) as Promise<void>).rejects.toThrow(
        new RegExp(`Pool\\.${m}\\(\\) takes a task, an iterable and an optional options object`),
      );
    }
    for (const m of ['mapAsync', 'starmapAsync', 'imap', 'imapUnordered'] as const) {
      expect(() => call(pool[m].bind(pool), tasks.nap, [], {}, cb)).toThrow(ValidationError);
    }
    const { completed, failed, queued, busy } = pool.stats();
    expect({ completed, failed, queued, busy }).toEqual({ completed: 0, failed: 0, queued: 0, busy: 0 });
    // Up to the count, options left out or null as before.
    expect(await pool.apply(tasks.nap, [1], null)).toBeUndefined();
    expect(await pool.map(tasks.nap, [1, 1])).toEqual([undefined, undefined]);
  });

  it('AsyncResult refuses get(ms, x), wait(ms, x), ready(x) and successful(x)', {
    timeout: 20_000,
  }, async () => {
    const pool = new Pool({ processes: 1 });
    pools.push(pool);
    const r = pool.applyAsync(tasks.nap, [1]);
    await r;
    await expect(call(r.get.bind(r), 5, 5) as Promise<void>).rejects.toThrow(
      /AsyncResult\.get\(\) takes an optional timeout \(ms, or \{ timeout \}\), but was given 2 arguments/,
    );
    await expect(call(r.wait.bind(r), 5, 5) as Promise<void>).rejects.toThrow(ValidationError);
    expect(() => call(r.ready.bind(r), 1)).toThrow(ValidationError);
    expect(() => call(r.successful.bind(r), 1)).toThrow(ValidationError);
    // Up to the count, as before.
    expect([await r.get(5), await r.wait(), r.ready(), r.successful()]).toEqual([
      undefined,
      true,
      true,
      true,
    ]);
  });

  it("names what a count option is and what to do, and the value given (not zod's bare text)", () => {
    expect(() => new Pool({ processes: 2, minProcesses: -1 })).toThrow(
      /minProcesses.*expected an integer >= 0: workers kept when idle.*leave it out.*got the number -1/,
    );
    expect(() => new Pool({ maxQueue: 0 })).toThrow(/maxQueue.*expected an integer >= 1: .*got the number 0/);
  });

  it('a map option: chunksize says what it is; a timeout given as a NaN option names the option form only', {
    timeout: 20_000,
  }, async () => {
    const pool = new Pool({ processes: 1 });
    pools.push(pool);
    await expect(pool.map(tasks.nap, [1], { chunksize: 0 })).rejects.toThrow(
      /chunksize.*items per message to a worker.*got the number 0/,
    );
    await expect(pool.apply(tasks.nap, [1], { timeout: Number.NaN })).rejects.toThrow(
      /got the number NaN\. Pool\.apply\(\) takes its timeout as an option only: \{ timeout: ms \}/,
    );
    // Python's positional chunksize (pool.map(f, xs, 4)) is named in its option form.
    await expect(pool.map(tasks.nap, [1], 4 as never)).rejects.toThrow(
      /options are an object .*got the number 4\. Python's positional chunksize is \{ chunksize: 4 \} here/,
    );
    expect(() => pool.imap(tasks.nap, [1], 2 as never)).toThrow(/\{ chunksize: 2 \}/);
    await expect(pool.apply(tasks.nap, [1], 4 as never)).rejects.toThrow(/got the number 4\.$/);
    // An iterable whose [Symbol.iterator]() returns no iterator: named, as Python's iter() does.
    const junk = { [Symbol.iterator]: () => 5 } as unknown as Iterable<number>;
    await expect(pool.map(tasks.nap, junk)).rejects.toThrow(
      /\[Symbol\.iterator\]\(\) returned the number 5, not an iterator/,
    );
  });
});

describe('the module functions and a context object', () => {
  it('refuse arguments they do not take, as Python raises TypeError; a context keeps allowNone', () => {
    for (const f of [activeChildren, cpuCount, currentProcess, parentProcess, isMain, getAllStartMethods])
      expect(() => call(f, 1), f.name).toThrow(ValidationError);
    expect(() => call(getStartMethod, true, 1)).toThrow(ValidationError);
    expect(() => call(getContext, 'thread', 1)).toThrow(ValidationError);
    expect(() => call(setStartMethod, 'thread', { force: true }, 1)).toThrow(ValidationError);
    expect(getStartMethod()).toBe('thread'); // the refused call set nothing
    const ctx = getContext('process');
    expect(() => call(ctx.getContext, 'thread', 1)).toThrow(ValidationError);
    expect(() => call(ctx.getStartMethod, true, 1)).toThrow(ValidationError);
    expect(() => call(ctx.activeChildren, 1)).toThrow(ValidationError);
    expect(
      () => new (ctx.Process as unknown as new (...a: unknown[]) => unknown)({ target: tasks.nap }, 1),
    ).toThrow(ValidationError);
    expect(() => new (ctx.Pool as unknown as new (...a: unknown[]) => unknown)({}, 1)).toThrow(
      ValidationError,
    );
    // Python's ctx.get_start_method(allow_none) takes it, and returns the context's name.
    expect(call(ctx.getStartMethod, true)).toBe('process');
    expect(ctx.getContext().name).toBe('process');
    expect([activeChildren(), isMain(), parentProcess()]).toEqual([[], true, null]);
  });
});

describe('setStartMethod() and currentProcess().daemon', () => {
  it('force must be a boolean (null: not given)', () => {
    const before = getStartMethod(true);
    try {
      expect(() => setStartMethod('thread', { force: 'yes' as never })).toThrow(
        /force must be true or false, got the string 'yes'/,
      );
      setStartMethod('thread', { force: null });
    } finally {
      setStartMethod(before, { force: true });
    }
  });

  it('the main program may make itself a daemon, as in Python; it then may not have children', () => {
    expect(currentProcess().daemon).toBe(false);
    expect(() => {
      currentProcess().daemon = 1 as never;
    }).toThrow(ValidationError);
    currentProcess().daemon = true;
    try {
      expect(currentProcess().daemon).toBe(true);
      const p = new Process({ target: tasks.nap, args: [1] });
      expect(() => p.start()).toThrow(ContextError); // as Python's start() asserts
      expect(() => new Pool({ processes: 1 })).toThrow(/daemonic processes are not allowed to have children/);
    } finally {
      currentProcess().daemon = false;
    }
    expect(currentProcess().daemon).toBe(false);
  });

  it('a worker (a started process) cannot: ProcessError, as Python\'s "process has already started"', {
    timeout: 20_000,
  }, async () => {
    const pool = new Pool({ processes: 1 });
    pools.push(pool);
    expect(await pool.apply(tasks.setDaemon, [])).toBe(`ProcessError ${new ProcessError('x').code}`);
  });

  it('a misspelt target is named, with its right spelling', () => {
    expect(() => new Process({ tagret: tasks.nap } as never)).toThrow(
      /a Process needs a target\. It was given 'tagret': did you mean target\?/,
    );
  });
});
