/** The `multiproc-worker` command refuses to start without what it needs, with one clear line. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { CLI, SECRET, TASKS } from './workers.js';

// Bounds wide enough for a loaded machine: four Node processes start at once here.
function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  return new Promise<{ code: number | string | null; stdout: string; stderr: string }>((resolve) => {
    const { MULTIPROC_SECRET: _, ...rest } = process.env;
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { ...rest, ...env }, timeout: 90_000 },
      (error, stdout, stderr) => {
        const killed = (error as { killed?: boolean } | null)?.killed;
        const code = error ? (killed ? 'killed after 90 s' : ((error as { code?: number }).code ?? 1)) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('multiproc-worker', () => {
  test('--help, and one clear line for each thing missing', async () => {
    const noTasks = fileURLToPath(new URL('./fixtures/no-tasks.mjs', import.meta.url));
    const [help, missingTasks, missingSecret, exportsNothing] = await Promise.all([
      run(['--help']),
      run([], { MULTIPROC_SECRET: SECRET }),
      run(['--tasks', TASKS]),
      run(['--tasks', noTasks, '--redis', 'redis://127.0.0.1:1'], { MULTIPROC_SECRET: SECRET }),
    ]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--tasks <modules\.\.\.>/);
    expect(help.stdout).toMatch(/--concurrency <n>/);
    expect(missingTasks.code).toBe(1);
    expect(missingTasks.stderr).toMatch(/--tasks/);
    expect(missingSecret.code).toBe(1);
    expect(missingSecret.stderr).toMatch(/ValidationError: .*MULTIPROC_SECRET/);
    expect(exportsNothing.code).toBe(1);
    expect(exportsNothing.stderr).toMatch(
      /ValidationError: --tasks: .*no-tasks\.mjs exports no task references/,
    );
  }, 120_000);
});
