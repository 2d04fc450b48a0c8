// A 'process'-context child that dies before Node ran any of its JavaScript never started: join()
// rejects with WorkerStartError, as a Pool reports the same death (Python raises OSError from
// start()). A child that started and ended, however soon, and one terminated on purpose before it
// was ready, keep their exit code without an error. Each case is a real program.
import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const PROGRAM = fileURLToPath(new URL('./fixtures/died-starting-program.mjs', import.meta.url));

function run(command: string, args: string[], env = process.env): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { env, timeout: 60_000 }, (err, stdout, stderr) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      if (!line.startsWith('{')) return reject(new Error(`no result (${err?.message}): ${stderr}`));
      resolve(JSON.parse(line));
    });
  });
}

const has = (tool: string) => spawnSync(tool, ['--version']).status === 0;
const canDropRoot = process.getuid?.() === 0 && has('setpriv') && has('prlimit');
const scratch = mkdtempSync('/tmp/mp-ds-');
chmodSync(scratch, 0o777);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('a Process whose child dies before it is ready', () => {
  it('rejects join() with WorkerStartError when Node exits at boot (a bad NODE_OPTIONS)', {
    timeout: 60_000,
  }, async () => {
    const out = await run(process.execPath, [PROGRAM, 'bad-node-options']);
    expect(out.start).toBe('returned');
    expect(out.join).toMatchObject({ name: 'WorkerStartError' });
    expect((out.join as { message: string }).message).toContain('exited with code 9 before it was ready');
    expect((out.join as { message: string }).message).toContain('NODE_OPTIONS');
    expect(out.exitCode).toBe(9);
  });

  it.skipIf(!canDropRoot)(
    'rejects join() with WorkerStartError naming SIGABRT under a low process limit',
    { timeout: 60_000 },
    async () => {
      const env = { ...process.env, TMPDIR: scratch };
      const args = ['--reuid=65534', '--regid=65534', '--clear-groups', 'prlimit', '--nproc=20'];
      const out = await run('setpriv', [...args, process.execPath, PROGRAM, 'plain'], env);
      expect(out.join).toMatchObject({ name: 'WorkerStartError' });
      // The fork itself may be refused (EAGAIN) instead; a child that aborted is named so.
      if (out.exitCode === -6) {
        expect((out.join as { message: string }).message).toContain('killed by SIGABRT before it was ready');
      }
    },
  );
});

describe('a Process whose child started', () => {
  it('keeps the exit code of a target that exits at once, without an error', {
    timeout: 60_000,
  }, async () => {
    expect(await run(process.execPath, [PROGRAM, 'exit-at-once'])).toEqual({
      start: 'returned',
      join: 'resolved',
      exitCode: 3,
    });
  });

  it('terminated at once, before it was ready, ends with -15 and no error', { timeout: 60_000 }, async () => {
    expect(await run(process.execPath, [PROGRAM, 'terminate-at-once'])).toEqual({
      start: 'returned',
      join: 'resolved',
      exitCode: -15,
    });
  });
});
