// What a new user's first habits from Python meet: a sync `for...of` over imap, a loop over a call
// that was not awaited, and tasks defined in code run with `node -e` as CommonJS. Each gets an
// error that says what to do.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Pool } from '@multiproc/core';
import { afterEach, describe, expect, it } from 'vitest';
import { tasks } from './fixtures/pool-tasks.ts';

const pools: Pool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.terminate()));
});

describe('a sync for...of over imap', () => {
  it.each(['imap', 'imapUnordered'] as const)(
    '%s: a TypeError saying to write for await',
    async (method) => {
      const pool = new Pool({ processes: 1 });
      pools.push(pool);
      const results = pool[method](tasks.square, [1, 2]) as unknown as Iterable<number>;
      let thrown: unknown;
      try {
        for (const _ of results) break;
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(TypeError);
      expect((thrown as Error).message).toMatch(/for await/);
      // The call itself is untouched: the same object still yields with for await.
      const seen: number[] = [];
      for await (const v of results as unknown as AsyncIterable<number>) seen.push(v);
      expect(seen.sort()).toEqual([1, 4]);
    },
    30_000,
  );
});

describe("a call's result read before it is awaited (Python's calls block)", () => {
  /** What reading `value` as an iterable throws, each way a Python port reads a list. */
  const readings = (value: unknown): unknown[] =>
    [
      () => {
        for (const _ of value as Iterable<unknown>) break;
      },
      () => [...(value as Iterable<unknown>)],
      () => {
        const [_a] = value as Iterable<unknown>;
      },
      () => Array.from(value as Iterable<unknown>), // gave [] without a word
    ].map((read) => {
      try {
        read();
      } catch (err) {
        return err;
      }
      return 'no error';
    });

  it('a loop, spread, destructuring or Array.from() of apply, map, starmap, an AsyncResult or its get() says to await it', async () => {
    const pool = new Pool({ processes: 1 });
    pools.push(pool);
    const mapAsync = pool.mapAsync(tasks.square, [3]);
    const cases: [string, PromiseLike<unknown>, RegExp][] = [
      ['pool.apply()', pool.apply(tasks.square, [2]), /await pool\.apply\(task, args\)/],
      ['pool.map()', pool.map(tasks.square, [1, 2]), /for \(const r of await pool\.map\(.*pool\.imap\(\)/],
      ['pool.starmap()', pool.starmap(tasks.add, [[1, 2]]), /for \(const r of await pool\.starmap\(/],
      ['an AsyncResult', mapAsync, /An AsyncResult .*for \(const r of await result\)/],
      ['AsyncResult.get()', mapAsync.get(), /for \(const r of await result\.get\(\)\)/],
    ];
    for (const [call, pending, advice] of cases) {
      for (const thrown of readings(pending)) {
        expect(thrown, call).toBeInstanceOf(TypeError);
        expect((thrown as Error).message, call).toMatch(advice);
      }
    }
    // `for await` over the Promise falls back to the same iterator, and gets the same advice.
    const looped = pool.map(tasks.square, [1]);
    await expect(
      (async () => {
        for await (const _ of looped as unknown as AsyncIterable<number>) break;
      })(),
    ).rejects.toThrow(/await pool\.map\(/);
    // An unawaited call given to another call as its input: that call rejects with the advice.
    const input = pool.map(tasks.square, [2]);
    await expect(pool.map(tasks.square, input as never)).rejects.toThrow(/pool\.map\(\) returns a Promise/);
    // Every call is untouched: awaited, each gives its result.
    const pendings = [...cases.map(([, pending]) => pending), looped, input];
    expect(await Promise.all(pendings)).toEqual([4, [1, 4], [3], [9], [9], [1], [4]]);
  }, 30_000);

  it('successful() before the result is there says to await it', async () => {
    const pool = new Pool({ processes: 1 });
    pools.push(pool);
    const result = pool.applyAsync(tasks.square, [2]);
    expect(() => result.successful()).toThrow(/await result\.wait\(\)/);
    await result;
    expect(result.successful()).toBe(true);
  }, 30_000);
});

describe('defineTasks() in code run with node -e as CommonJS', () => {
  const core = fileURLToPath(new URL('../dist/index.js', import.meta.url));
  it.each([
    ['-e', ['-e']],
    ['-p', ['-p']],
  ])('%s with __filename: the message says tasks must live in a module file', (_flag, args) => {
    const code = `const { defineTasks } = require(${JSON.stringify(core)}); defineTasks(__filename, { sq: (x) => x * x });`;
    const ran = spawnSync(process.execPath, [...args, code], { encoding: 'utf8', timeout: 30_000 });
    expect(ran.status).toBe(1);
    expect(ran.stderr).toMatch(/ValidationError/);
    expect(ran.stderr).toMatch(/-e\/--eval/);
    expect(ran.stderr).toMatch(/module file a worker can import/);
  });

  it('from stdin: the same message', () => {
    const code = `const { defineTasks } = require(${JSON.stringify(core)}); defineTasks(__filename, { sq: (x) => x * x });`;
    const ran = spawnSync(process.execPath, [], { input: code, encoding: 'utf8', timeout: 30_000 });
    expect(ran.status).toBe(1);
    expect(ran.stderr).toMatch(/module file a worker can import/);
  });
});

describe('first mistakes in arguments and options say what to write', () => {
  it('defineTasks() given the tasks object first names the URL that comes before it', async () => {
    const { defineTasks, ValidationError } = await import('@multiproc/core');
    const call = () => defineTasks({ d: () => 1 } as never, undefined as never);
    expect(call).toThrow(ValidationError);
    expect(call).toThrow(/got the tasks object first.*defineTasks\(import\.meta\.url, \{/);
    expect(() => defineTasks(42 as never, {})).toThrow(/got the number 42/);
  });

  it('defineTasks() given import.meta or a CommonJS module object names the field to pass', async () => {
    const { defineTasks, ValidationError } = await import('@multiproc/core');
    const fns = { d: () => 1 };
    const meta = () => defineTasks(import.meta as never, fns);
    expect(meta).toThrow(ValidationError);
    expect(meta).toThrow(/got import\.meta: .*defineTasks\(import\.meta\.url, /);
    const cjsModule = { id: '.', filename: '/app/tasks.cjs', exports: {}, loaded: false, children: [] };
    expect(() => defineTasks(cjsModule as never, fns)).toThrow(
      /CommonJS module object.*defineTasks\(__filename, /,
    );
  });

  it('a guard that tests isMain without calling it: the ContextError names the line and the call', () => {
    const program = fileURLToPath(new URL('./fixtures/uncalled-guard.mjs', import.meta.url));
    const ran = spawnSync(process.execPath, [program], { encoding: 'utf8', timeout: 30_000 });
    expect(ran.status).toBe(1);
    expect(ran.stderr).toMatch(/ContextError/);
    expect(ran.stderr).toMatch(/line 7 tests `if \(isMain\)`.*always true: call it, `if \(isMain\(\)\) \{/);
  });

  it.each(['mjs', 'cjs'])(
    'a task registered inside `if (isMain())` (%s): the call says to move defineTasks() out of it',
    async (ext) => {
      const { tasks: guarded } = await import(`./fixtures/guarded-tasks.${ext}`);
      const pool = new Pool({ processes: 1 });
      pools.push(pool);
      const call = pool.apply(guarded.inside, [1]);
      await expect(call).rejects.toThrow(/outside `if \(isMain\(\)\)`/);
      await expect(call).rejects.toThrow(
        ext === 'cjs' ? /defineTasks\(__filename, / : /defineTasks\(import\.meta\.url, /,
      );
    },
    30_000,
  );

  it.each([
    [() => new Pool({ processes: 0 }), /'processes'.*whole number from 1 to 4096/],
    [() => new Pool({ processes: 2.5 }), /'processes'.*leave it out for cpuCount\(\)/],
    [() => new Pool({ initargs: 1 as never }), /'initargs'.*initargs: \[x\]/],
    [() => new Pool({ maxTasksPerChild: 0 }), /'maxTasksPerChild'.*or null for no limit/],
  ])('%#: a bad option names it and what to give', (make, message) => {
    expect(make).toThrow(message);
  });

  it('a Process args that is not an array says to wrap it', async () => {
    const { Process } = await import('@multiproc/core');
    expect(() => new Process({ target: tasks.square, args: 5 as never })).toThrow(/'args'.*args: \[x\]/);
  });
});
