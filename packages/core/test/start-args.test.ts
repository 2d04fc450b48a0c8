// How workers start: the program's arguments, its Node flags (never `-e <code>`: a child would run
// the program again), and its relative preloads after a chdir. Whole programs in their own process
// group, under a thread limit and a kill timer, so a program that forks again cannot run away.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { expectPrints, PERMISSION_FLAG, runNodeInGroup } from './group.ts';
import { fixture } from './helpers.ts';

const DIR = fixture('start-args');

function evalProgram(context: string, body: string): string {
  return `import { isMain, Pool } from '@multiproc/core';
console.log('generation', process.pid, isMain());
${body}
if (isMain()) {
  const pool = new Pool({ processes: 1, context: '${context}' });
  try { console.log('result', await pool.apply(tasks.scaled, [3], { timeout: 15000 })); }
  catch (e) { console.log('rejected', e.name); }
  await pool.terminate();
}`;
}

describe.concurrent.each(matrix(import.meta.url))('workers started in %s context', (context) => {
  it('a program given with -e whose tasks are in a file runs them once, with no second generation', async ({
    expect,
    onTestFinished,
  }) => {
    const code = evalProgram(context, "const { tasks } = await import('./tasks.mjs');");
    const run = runNodeInGroup(['--input-type=module', '-e', code], 30, onTestFinished, 'eval', { cwd: DIR });
    const { stdout, code: exit } = await run.done;
    expect(stdout.match(/^generation/gm)).toHaveLength(1);
    expect(stdout).toContain('result 3');
    expect(exit).toBe(0);
  }, 40_000);

  it('defineTasks() in code given with -e throws ValidationError, and nothing forks', async ({
    expect,
    onTestFinished,
  }) => {
    const code = evalProgram(
      context,
      `import { defineTasks } from '@multiproc/core';
let tasks;
try { tasks = defineTasks(import.meta.url, { scaled: (x) => x }); }
catch (e) { console.log('defineTasks', e.name, e.code); process.exit(0); }`,
    );
    const run = runNodeInGroup(['--input-type=module', '-e', code], 30, onTestFinished, 'eval', { cwd: DIR });
    const { stdout } = await run.done;
    expect(stdout.match(/^generation/gm)).toHaveLength(1);
    expect(stdout).toContain('defineTasks ValidationError MP_VALIDATION');
  }, 40_000);

  it("pool workers and a Process get the program's arguments in process.argv", async ({
    expect,
    onTestFinished,
  }) => {
    const run = runNodeInGroup([join(DIR, 'argv.mjs'), '10', context], 30, onTestFinished);
    const { stdout, code } = await run.done;
    expect(stdout).toContain('map [10,20,30]');
    expect(stdout).toContain(`pool argv ["10","${context}"]`);
    expect(stdout).toContain('process scaled 40');
    expect(code).toBe(0);
  }, 40_000);

  it('a program run with --frozen-intrinsics (frozen Atomics) runs its pool and a Process', async ({
    expect,
    onTestFinished,
  }) => {
    const args = ['--frozen-intrinsics', '--no-warnings', join(DIR, 'argv.mjs'), '10', context];
    const { stdout, stderr, code } = await runNodeInGroup(args, 30, onTestFinished).done;
    expect(stdout, stderr).toContain('map [10,20,30]');
    expect(stdout).toContain('process scaled 40');
    expect(code).toBe(0);
  }, 40_000);

  it('a relative --import still loads in workers after process.chdir()', async ({
    expect,
    onTestFinished,
  }) => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'mp-chdir-'));
    const args = ['--import', './register.mjs', join(DIR, 'chdir.mjs'), elsewhere, context];
    const run = runNodeInGroup(args, 30, onTestFinished, 'chdir', { cwd: DIR });
    const { stdout, stderr } = await run.done;
    expect(stdout, stderr).toBe('loaded true\n');
  }, 40_000);

  it('a relative --import in NODE_OPTIONS still loads in workers after process.chdir()', async ({
    expect,
    onTestFinished,
  }) => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'mp-chdir-'));
    const env = { ...process.env, NODE_OPTIONS: '--import ./register.mjs' };
    const run = runNodeInGroup([join(DIR, 'chdir.mjs'), elsewhere, context], 30, onTestFinished, 'chdir', {
      cwd: DIR,
      env,
    });
    const { stdout, stderr } = await run.done;
    expect(stdout, stderr).toBe('loaded true\n');
  }, 40_000);

  it("workers do not get node:test's NODE_TEST_CONTEXT", async ({ expect, onTestFinished }) => {
    const env = { ...process.env, NODE_TEST_CONTEXT: 'child-v8' };
    const run = runNodeInGroup([join(DIR, 'test-context.mjs'), context], 30, onTestFinished, 'env', { env });
    const { stdout, stderr } = await run.done;
    expect(stdout, stderr).toBe('test context null\n');
  }, 40_000);
});

describe('tasks defined in a test file', () => {
  it('under node --test, each call rejects saying to move the tasks, and the tests do not run again', async ({
    expect,
    onTestFinished,
  }) => {
    const run = runNodeInGroup(
      ['--test', '--test-reporter=tap', 'inline.test.mjs'],
      60,
      onTestFinished,
      'node --test',
      {
        cwd: DIR,
      },
    );
    const { stdout, code } = await run.done;
    expect(stdout).toMatch(/^# pass 2$/m);
    expect(stdout).toMatch(/^# fail 0$/m);
    expect(stdout.match(/^ok \d/gm)).toHaveLength(2);
    expect(stdout).not.toContain('test:enqueue');
    expect(code).toBe(0);
  }, 70_000);
});

describe('a child killed by a signal while it starts', () => {
  it.for(['SIGINT', 'SIGTERM'])(
    'rejects with WorkerStartError naming %s, without the system-limits advice',
    { timeout: 50_000 },
    async (signal, { expect, onTestFinished }) => {
      const env = { ...process.env, KILL_AT_START: signal };
      const args = ['--import', './kill-at-start.mjs', 'killed-main.mjs'];
      const run = runNodeInGroup(args, 40, onTestFinished, 'killed', { cwd: DIR, env });
      const { stdout, stderr } = await run.done;
      expect(stdout, stderr).toContain(
        `WorkerStartError Cannot start a child process: it was killed by ${signal}`,
      );
      expect(stdout).not.toMatch(/fewer workers|limits\./);
    },
  );
});

describe("Node's permission model without --allow-worker / --allow-child-process", () => {
  it('Pool and Process refuse with ContextError naming the flag, and nothing is uncaught', async ({
    expect,
    onTestFinished,
  }) => {
    // The error's hint names the flag this Node accepts.
    const args = [
      '--no-warnings',
      PERMISSION_FLAG,
      '--allow-fs-read=*',
      join(DIR, 'permission-main.mjs'),
      PERMISSION_FLAG,
    ];
    await expectPrints(expect, onTestFinished, 'permission', args, [
      'thread Pool ContextError true',
      'thread Process ContextError true',
      'process Pool ContextError true',
      'process Process ContextError true',
      'went on',
    ]);
  }, 50_000);
});
