// A temp folder that cannot hold this library's Unix sockets (TMPDIR missing, a file, relative
// then a chdir, too long for a socket path) is skipped as Python's tempfile.gettempdir() skips
// it: a queue, a pipe end, a manager and a Listener used with a 'process' context deliver
// everything, and nothing is bound (on Node 20: truncated) inside the unusable TMPDIR. A folder
// that goes away after it was chosen fails every route at its first use with the same
// ProcessError naming TMPDIR, never a silent loss. Each case is a real program with its own env.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const PROGRAM = fileURLToPath(new URL('./fixtures/socket-dir-program.mjs', import.meta.url));
const base = mkdtempSync('/tmp/mp-sd-');
afterAll(() => rmSync(base, { recursive: true, force: true }));

function run(tmp: string, args: string[], cwd?: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, TMPDIR: tmp, TEMP: '', TMP: '' };
    execFile(process.execPath, [PROGRAM, ...args], { env, cwd, timeout: 60_000 }, (err, stdout, stderr) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      if (!line.startsWith('{')) return reject(new Error(`no result (${err?.message}): ${stderr}`));
      resolve(JSON.parse(line));
    });
  });
}

const DELIVERED = {
  queue: [0, 1, 2],
  pipe: [0, 1, 2],
  manager: 'set by the child',
  listener: 'hi',
};

describe('an unusable TMPDIR is skipped (Python: tempfile.gettempdir())', () => {
  it('a TMPDIR that does not exist', { timeout: 90_000 }, async () => {
    const tmp = join(base, 'missing');
    const out = await run(tmp, ['deliver']);
    expect(out).toMatchObject(DELIVERED);
    expect(String(out.listenerAddress).startsWith(`${tmp}/`)).toBe(false);
  });

  it('a TMPDIR that is a file', { timeout: 90_000 }, async () => {
    const tmp = join(base, 'a-file');
    writeFileSync(tmp, '');
    const out = await run(tmp, ['deliver']);
    expect(out).toMatchObject(DELIVERED);
  });

  it('a TMPDIR too long for a socket path, where Node 20 bound truncated names', {
    timeout: 90_000,
  }, async () => {
    // 76 to 80 bytes: Node 20 truncated the socket names and left the files; longer: collisions.
    for (const length of [78, 95]) {
      const tmp = join(base, 'l'.repeat(length - base.length - 1));
      expect(Buffer.byteLength(tmp)).toBe(length);
      mkdirSync(tmp);
      const out = await run(tmp, ['deliver']);
      expect(out).toMatchObject(DELIVERED);
      expect(String(out.listenerAddress).startsWith(`${tmp}/`)).toBe(false);
      expect(Buffer.byteLength(String(out.listenerAddress))).toBeLessThanOrEqual(
        process.platform === 'linux' ? 107 : 103,
      );
      // Node 22+ may keep its compile cache there: only sockets count.
      expect(readdirSync(tmp).filter((f) => f.endsWith('.sock'))).toEqual([]);
    }
  });

  it('a relative TMPDIR, after a chdir before the first use: sockets are bound at an absolute path', {
    timeout: 90_000,
  }, async () => {
    const start = join(base, 'start');
    mkdirSync(join(start, 'rel'), { recursive: true });
    const elsewhere = join(base, 'elsewhere');
    mkdirSync(elsewhere);
    // The program moves to `elsewhere` (no `rel` there) before its first use.
    const out = await run('rel', ['deliver', elsewhere], start);
    expect(out).toMatchObject(DELIVERED);
    expect(String(out.listenerAddress).startsWith('/')).toBe(true);
  });
});

describe('a temp folder removed after it was chosen', () => {
  it('fails every route at its first use with the same ProcessError naming TMPDIR', {
    timeout: 90_000,
  }, async () => {
    const tmp = join(base, 'goes');
    mkdirSync(tmp);
    const out = await run(tmp, ['gone', tmp]);
    expect(existsSync(tmp)).toBe(false);
    for (const route of ['queue', 'pipe', 'manager', 'listener']) {
      const e = out[route] as { name: string; message: string };
      expect(e, route).toMatchObject({ name: 'ProcessError' });
      expect(e.message, route).toContain(tmp);
      expect(e.message, route).toContain('does not exist');
      expect(e.message, route).toContain('Set TMPDIR');
    }
  });
});
