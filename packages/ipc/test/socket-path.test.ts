// How the folder for this library's Unix sockets is chosen (Python's tempfile.gettempdir(), which
// skips what it cannot use) and that no socket path is ever bound cut short: Node 20 truncates a
// path over the system's limit (107 bytes on Linux, 103 on macOS), Node 22+ refuse it (EINVAL).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Listener, ProcessError, ValidationError } from '@multiproc/ipc';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_SOCKET_PATH_BYTES, pickSocketDir } from '../src/internal/net/socket-path.js';

const base = mkdtempSync('/tmp/mp-sp-');
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe.skipIf(process.platform === 'win32')('the folder for sockets', () => {
  it('skips a missing folder, a file and a folder too long, in order, to the first usable one', () => {
    const file = join(base, 'file');
    writeFileSync(file, '');
    const long = join(base, 'x'.repeat(80));
    expect(
      pickSocketDir([
        ['TMPDIR', join(base, 'missing')],
        ['TEMP', file],
        ['TMP', long],
        ['/tmp', base],
      ]),
    ).toBe(base);
  });

  it('makes a relative folder absolute', () => {
    expect(pickSocketDir([['TMPDIR', '.']])).toBe(process.cwd());
  });

  it('throws a ProcessError naming every folder tried, why, and what to do, when none is usable', () => {
    const file = join(base, 'file2');
    writeFileSync(file, '');
    let error: unknown;
    try {
      pickSocketDir([
        ['TMPDIR', join(base, 'missing')],
        ['/tmp', file],
      ]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProcessError);
    const message = (error as Error).message;
    expect(message).toContain(`TMPDIR (${join(base, 'missing')}): it does not exist (ENOENT)`);
    expect(message).toContain(`/tmp (${file}): it is not a folder`);
    expect(message).toContain('Set TMPDIR to an existing folder');
  });
});

describe.skipIf(process.platform === 'win32')('a socket path given by the user', () => {
  const tooLong = join(base, 'y'.repeat(MAX_SOCKET_PATH_BYTES - base.length));
  const longest = join(base, 'z'.repeat(MAX_SOCKET_PATH_BYTES - base.length - 1));

  it('is refused by new Listener() when longer than the system binds (never bound truncated)', () => {
    expect(Buffer.byteLength(tooLong)).toBe(MAX_SOCKET_PATH_BYTES + 1);
    expect(() => new Listener(tooLong)).toThrow(ValidationError);
    expect(() => new Listener(tooLong)).toThrow(/AF_UNIX path too long/);
  });

  it('is refused by Client() when longer than the system binds (never dials a truncated name)', async () => {
    await expect(Client(tooLong)).rejects.toThrow(ValidationError);
  });

  it('is bound whole at the longest length the system allows', async () => {
    expect(Buffer.byteLength(longest)).toBe(MAX_SOCKET_PATH_BYTES);
    const l = new Listener(longest);
    try {
      expect(await l.ready()).toBe(longest);
      const accepted = l.accept();
      const c = await Client(longest);
      c.send('whole');
      expect(await (await accepted).recv()).toBe('whole');
      c.close();
    } finally {
      l.close();
    }
  }, 10_000);
});
