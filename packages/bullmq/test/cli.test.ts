/** The `multiproc-worker` command refuses to start without what it needs, with one clear line. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  test('--version and -V print the package version, nothing else needed', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    const [long, short] = await Promise.all([run(['--version']), run(['-V'])]);
    for (const ran of [long, short]) {
      expect(ran.code).toBe(0);
      expect(ran.stdout.trim()).toBe(version);
      expect(ran.stderr).toBe('');
    }
  }, 120_000);

  test('--help shows the defaults and never the password in $REDIS_URL', async () => {
    const help = await run(['--help'], { REDIS_URL: 'redis://app:s3cretpw@127.0.0.1:6379' });
    expect(help.code).toBe(0);
    expect(help.stdout).not.toMatch(/s3cretpw/);
    expect(help.stdout).toMatch(
      /--redis <url> +Redis URL, redis:\/\/ or rediss:\/\/, or a Unix\s+socket's path \(default:\s+\$REDIS_URL/,
    );
    const flat = help.stdout.replace(/\s+/g, ' ');
    for (const [flag, shown] of [
      ['--lock-duration', '30000'],
      ['--stalled-interval', '30000'],
      ['--max-stalled-count', '1'],
      ['--ttl', '15000'],
      ['--grace', '30000'],
      ['--context', 'thread'],
      ['--concurrency', 'the number of CPUs'],
      ['--max-old-space-size', "Node's own"],
    ] as const) {
      expect(flat).toMatch(new RegExp(`${flag} <[^>]+> [^-]*?\\(default: ${shown}\\)`));
    }
    // Each limit a flag refuses values past is stated.
    for (const [flag, bounds] of [
      ['--concurrency', '1 to 4096'],
      ['--lock-duration', 'at least 100'],
      ['--stalled-interval', 'at least 100'],
      ['--max-stalled-count', '0 or more'],
      ['--max-tasks-per-child', 'at least 1'],
      ['--max-old-space-size', 'at least 16'],
      ['--ttl', 'at least 300'],
    ] as const) {
      expect(flat).toMatch(new RegExp(`${flag} <[^>]+> [^-]*?${bounds}`));
    }
  }, 120_000);

  test('a number out of bounds: the error names the flag as typed and its bounds', async () => {
    const cases = [
      [
        ['--concurrency', '1e9'],
        /option '-c, --concurrency <n>' argument '1e9' is invalid\. .*from 1 to 4096/,
      ],
      [['--lock-duration', '10'], /option '--lock-duration <ms>' argument '10' is invalid\. .*>= 100/],
      [['--stalled-interval', '0'], /option '--stalled-interval <ms>' argument '0' .*>= 100/],
      [['--max-tasks-per-child', '0'], /option '--max-tasks-per-child <n>' argument '0' .*>= 1/],
      [['--max-old-space-size', '8'], /option '--max-old-space-size <MB>' argument '8' .*>= 16/],
      [['--ttl', '10'], /option '--ttl <ms>' argument '10' .*>= 300/],
      [['--grace', '1.5'], /option '--grace <ms>' argument '1\.5' .*whole number >= 0/],
    ] as const;
    const results = await Promise.all(
      cases.map(([args]) => run(['--tasks', TASKS, ...args], { MULTIPROC_SECRET: SECRET })),
    );
    for (const [i, [, pattern]] of cases.entries()) {
      expect(results[i]!.code).toBe(1);
      expect(results[i]!.stderr).toMatch(pattern);
      // Not the names of the code's options ('processes', 'lockDuration').
      expect(results[i]!.stderr).not.toMatch(/'processes'|'lockDuration'|'stalledInterval'|'ttl'/);
    }
  }, 120_000);

  test('a missing --secret-file or --tls-ca file, or no secret at all: a ValidationError naming the flag', async () => {
    const [secretFile, tlsCa, noSecret, shortSecret] = await Promise.all([
      run(['--tasks', TASKS, '--secret-file', './no-such-secret.txt']),
      run(['--tasks', TASKS, '--tls-ca', './no-such-ca.pem'], { MULTIPROC_SECRET: SECRET }),
      run(['--tasks', TASKS]),
      run(['--tasks', TASKS], { MULTIPROC_SECRET: 'short' }),
    ]);
    expect(secretFile.code).toBe(1);
    expect(secretFile.stderr).toMatch(
      /^multiproc-worker: ValidationError: --secret-file: cannot read '.\/no-such-secret.txt' \(no such file\)/,
    );
    expect(tlsCa.code).toBe(1);
    expect(tlsCa.stderr).toMatch(
      /^multiproc-worker: ValidationError: --tls-ca: cannot read '.\/no-such-ca.pem'/,
    );
    // A command-line user cannot pass `{ secret }`: the hint names the flag and the variable.
    expect(noSecret.stderr).toMatch(/MULTIPROC_SECRET or pass --secret-file <path>/);
    expect(noSecret.stderr).not.toMatch(/\{ secret \}/);
    // The command is named once.
    expect(shortSecret.stderr).toMatch(/^multiproc-worker: ValidationError: the secret is 5 bytes/);
  }, 120_000);

  test('an empty or short --secret-file: a ValidationError naming the file, not "no secret"', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mpw-secret-'));
    try {
      const empty = join(dir, 'empty');
      const short = join(dir, 'short');
      writeFileSync(empty, '\n');
      writeFileSync(short, 'short\n');
      const [fromEmpty, fromShort] = await Promise.all([
        run(['--tasks', TASKS, '--secret-file', empty]),
        run(['--tasks', TASKS, '--secret-file', short]),
      ]);
      expect(fromEmpty.code).toBe(1);
      expect(fromEmpty.stderr).toMatch(/^multiproc-worker: ValidationError: --secret-file: /);
      expect(fromEmpty.stderr).toContain(`the file '${empty}' is empty`);
      expect(fromEmpty.stderr).not.toMatch(/\{ secret \}/);
      expect(fromShort.code).toBe(1);
      expect(fromShort.stderr).toMatch(
        /--secret-file: the file '.*short' holds a secret of 5 bytes.*at least 16/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
