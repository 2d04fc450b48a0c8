// What a new user's first habits from Python meet: a sync `for...of` over imap, and tasks defined in
// code run with `node -e` as CommonJS. Each gets an error that says what to do.
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
