// Whole programs in their own process groups, under limits: what happens around a worker's life,
// at its start (the missing isMain() guard), at its end (output, unsettled targets), and when the
// parent dies (orphans). Each program is killed with its group afterwards.
import { afterEach, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { hasExited, killGroups, runInGroup } from './group.ts';

afterEach(killGroups);

const CONTEXTS = matrix(import.meta.url);

describe.each(CONTEXTS)('the missing isMain() guard in the %s context', (context) => {
  it('throws ContextError at once, saying to guard with isMain()', async () => {
    const { stdout, stderr, code } = await runInGroup('no-guard.mjs', [context], 60).done;
    expect(code, stdout + stderr).toBe(0);
    expect(stdout).toMatch(
      /^ContextError: Cannot create a Pool while this worker is importing .*no-guard\.mjs/m,
    );
    expect(stdout).toContain('isMain()');
  });

  it('bounds recursion that slips past the guard', async () => {
    const { stdout, stderr, code } = await runInGroup('recurse.mjs', [context], 90).done;
    expect(code, stdout + stderr).toBe(0);
    expect(stdout).toMatch(/^ContextError: Cannot create a Pool 10 levels of workers deep \(the limit\)/m);
  }, 60_000);
});

describe('when the parent is killed with SIGKILL', () => {
  it.each([
    ['tasks and a Process that keep a timer alive', 'timers', ''],
    ['a task spinning in sync code, a daemon Process spinning while it imports', 'busy', 'daemon'],
  ])(
    'every child exits within 2 s: %s',
    async (_what, mode, daemon) => {
      const run = runInGroup('orphans.mjs', [mode, daemon], 60);
      const out = await run.until(/^(child|main) \d+/m, 4);
      const children = [...out.matchAll(/^child (\d+)/gm)].map((m) => Number(m[1]));
      const main = Number(/^main (\d+)/m.exec(out)![1]);
      expect(children).toHaveLength(3);
      process.kill(main, 'SIGKILL');
      await expect
        .poll(() => children.filter((pid) => !hasExited(pid)), { timeout: 2000, interval: 50 })
        .toEqual([]);
    },
    60_000,
  );
});

it('a target whose promise never settles exits with code 13 and says so, in both contexts', async () => {
  const { stdout, stderr } = await runInGroup('unsettled.mjs', [], 60).done;
  for (const label of ['never', 'printed']) {
    // 'printed': the target wrote a line first, so a child's stdout pipe stays listed as a ref'd
    // handle though nothing can come through it; the loop is dry all the same.
    for (const context of matrix(import.meta.url)) {
      expect(stdout).toContain(`${label} ${context} exitCode=13`);
      expect(stderr).toMatch(
        new RegExp(`${label}-${context}: the target returned a promise that never settled`),
      );
    }
  }
  expect(stdout.match(/^a line before the promise$/gm)).toHaveLength(2);
});

it('a task module whose top-level await never settles: exit code 13, and the line (or the pool call) says the module never loaded', async () => {
  const { stdout, stderr } = await runInGroup('unsettled-import.mjs', [], 60).done;
  expect(stdout).toContain('thread exitCode=13');
  expect(stdout).toContain('process exitCode=13');
  for (const context of matrix(import.meta.url)) {
    expect(stderr).toMatch(
      new RegExp(
        `loading-${context}: the task module file://\\S+/unsettled-import\\.mjs never finished loading: its top-level await`,
      ),
    );
  }
  expect(stderr).not.toMatch(/the target returned a promise/);
  for (const context of matrix(import.meta.url)) {
    expect(stdout).toMatch(
      new RegExp(
        `pool-${context}: WorkerCrashedError \\(never settled\\): The task module file://\\S+/unsettled-import\\.mjs ` +
          'never finished loading in the worker: its top-level await.*isMain\\(\\)',
      ),
    );
  }
  expect(stdout).not.toMatch(/Resolve or reject every promise a task returns/);
});

// Run by hand with LOST_OUTPUT_ROUNDS=20 (and on Node 22 and 24): these losses were intermittent.
const ROUNDS = Number(process.env.LOST_OUTPUT_ROUNDS ?? 1);

// Each case is its own program and mostly waits for it, so they run side by side; each kills its
// own groups when it ends (the file's afterEach would kill the others' too).
describe.concurrent('no line written before an exit is lost', () => {
  it.for([
    ['a Process target that calls process.exit(0)', 'exit', 'process', 300],
    ['daemon Processes before the program ends', 'daemons', 'process', 20],
    ['daemon Processes before the program ends', 'daemons', 'thread', 20],
    ['a pool task that calls process.exit(0)', 'pool-exit', 'process', 300],
    ['a pool task that returns just before the program ends', 'pool-return', 'process', 300],
    ['a pool task that calls process.exit(0), its worker replaced', 'pool-replace', 'process', 600],
    ['a pool task that calls process.exit(0), its worker replaced', 'pool-replace', 'thread', 600],
  ] as const)(
    '%s (%s, %s context)',
    { timeout: 120_000 },
    async ([_what, mode, context, expected], { expect, onTestFinished }) => {
      for (let round = 0; round < ROUNDS; round++) {
        const { stdout } = await runInGroup('lost-output.mjs', [mode, context], 60, onTestFinished).done;
        const lines = stdout.split('\n').filter((line) => line.includes(' line '));
        expect(lines).toHaveLength(expected);
        for (const line of lines) expect(line).toMatch(/^\S+ line \d+ [xyz]{60}$/);
      }
    },
  );
});
