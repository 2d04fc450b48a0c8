// What a new user meets first: task modules named by URL or by path (CommonJS), a clear error when
// the worker files are missing (a bundle), and Process arguments checked by the compiler.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { defineTasks, Process, ValidationError } from '@multiproc/core';
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { tasks } from './fixtures/tasks.ts';
import { runProgram } from './helpers.ts';

describe('defineTasks() module ids', () => {
  it('takes an absolute path and registers it under its file: URL', () => {
    const path = join(tmpdir(), 'multiproc-define-tasks.cjs');
    const refs = defineTasks(path, { one: () => 1 });
    expect(refs.one.module).toBe(pathToFileURL(path).href);
    expect(defineTasks(pathToFileURL(path).href, { two: () => 2 }).two.module).toBe(refs.one.module);
  });

  it.each([
    ['a relative path', 'tasks.js'],
    ['a URL of another scheme', 'https://example.com/tasks.js'],
    ['undefined (import.meta.url in a CommonJS bundle)', undefined],
    ['a number', 42],
  ])('refuses %s with a ValidationError that shows the fix', (_what, id) => {
    let thrown: unknown;
    try {
      defineTasks(id as string, { one: () => 1 });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).code).toBe('MP_VALIDATION');
    expect((thrown as Error).message).toContain('import.meta.url');
    expect((thrown as Error).message).toContain('pathToFileURL(__filename).href');
  });

  it.each([
    ['import.meta.dirname', () => dirname(fileURLToPath(import.meta.url))],
    ['a folder URL', () => new URL('.', import.meta.url).href],
  ])(
    'refuses %s (a folder) at once with a ValidationError saying to pass import.meta.url',
    (_what, folder) => {
      let thrown: unknown;
      try {
        defineTasks(folder(), { one: () => 1 });
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(ValidationError);
      expect((thrown as Error).message).toContain('import.meta.url');
      expect((thrown as Error).message).toContain('folder');
    },
  );

  it('refuses a value that is not a function with a ValidationError', () => {
    expect(() => defineTasks(import.meta.url, { bad: 3 as never })).toThrow(ValidationError);
  });

  // A worker calls a task without `new`: a class failed there, at the call, with "Class constructor
  // Point cannot be invoked without 'new'". Refused where it is registered, saying what to write.
  it('refuses a class with a ValidationError that shows the function to register', () => {
    class Point {
      readonly x: number;
      constructor(x: number) {
        this.x = x;
      }
    }
    expect(() => defineTasks(import.meta.url, { point: Point as never })).toThrow(ValidationError);
    expect(() => defineTasks(import.meta.url, { point: Point as never })).toThrow(
      /class.*new Point\(\.\.\.args\)/,
    );
  });

  it.each(['path', 'url'])('runs a CommonJS task module named by its %s, in both contexts', async (form) => {
    const { stdout, stderr, code } = await runProgram('commonjs.cjs', [form]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toBe('thread [1,4,9]\nhello thread\nprocess [1,4,9]\nhello process\n');
  });
});

describe('missing worker entries', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it.each(matrix(import.meta.url))(
    'new Pool() and Process.start() throw WorkerEntryNotFoundError (%s)',
    async (context) => {
      const empty = mkdtempSync(join(tmpdir(), 'multiproc-no-entries-'));
      dirs.push(empty);
      const { stdout, stderr, code } = await runProgram('no-entries.mjs', [context], {
        MULTIPROC_WORKER_DIR: empty,
      });
      expect(code).toBe(0);
      expect(stdout).toBe(
        'pool: WorkerEntryNotFoundError MP_WORKER_ENTRY_NOT_FOUND pool 3\n' +
          'process: WorkerEntryNotFoundError MP_WORKER_ENTRY_NOT_FOUND process 3\n',
      );
      expect(stderr).toContain(join(empty, 'multiproc-pool-worker.js'));
      expect(stderr).toContain('bundling');
      // The other way out, which needs no change to the build's entry points: leave multiproc out.
      expect(stderr).toContain('--packages=external');
    },
  );
});

describe('Process argument types', () => {
  it('checks args against the target like a pool call (compile-time)', () => {
    const ok = () => new Process({ target: tasks.printNum, args: [1] });
    // @ts-expect-error: printNum takes a number
    const wrongType = () => new Process({ target: tasks.printNum, args: ['one'] });
    // @ts-expect-error: printNum takes one argument
    const missing = () => new Process({ target: tasks.printNum, args: [] });
    expect([ok, wrongType, missing].every((f) => typeof f === 'function')).toBe(true);
  });
});
