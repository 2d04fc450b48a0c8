// A Listener (or a manager) whose bind failed with EADDRINUSE owns nothing at that path: closing
// it, shutting the manager down, or the program ending leaves the other listener's socket file,
// or the user's regular file, where it was (Python unlinks a path only after its own bind). A
// socket file the library chose the path of is reachable by this user only (Python: a 0700 folder);
// one at a path the user gave keeps the umask's mode, as in Python.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BaseManager, Client, Manager, ProcessError, SyncManager } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';
import { cleanup, listen } from './net-kit.js';

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mp-bind-test-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('a Listener whose bind failed with EADDRINUSE', () => {
  it("leaves a user's regular file at that path when closed", async () => {
    const file = join(scratch(), 'notes.txt');
    writeFileSync(file, 'keep me\n');
    const l = listen(file);
    await expect(l.ready()).rejects.toMatchObject({ code: 'EADDRINUSE' });
    l.close();
    expect(readFileSync(file, 'utf8')).toBe('keep me\n');
  }, 10_000);

  it('leaves the live listener at that path reachable when closed', async () => {
    const first = listen(join(scratch(), 'a.sock'));
    await first.ready();
    const second = listen(first.address);
    await expect(second.accept()).rejects.toMatchObject({ code: 'EADDRINUSE' });
    second.close();
    const accepted = first.accept();
    const c = await Client(first.address);
    cleanup.push(() => c.close());
    c.send('still here');
    expect(await (await accepted).recv()).toBe('still here');
  }, 10_000);

  it('leaves the live listener socket file when another program fails to bind it and ends', async () => {
    const first = listen(join(scratch(), 'b.sock'));
    await first.ready();
    const program = `
      import { Listener } from ${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)};
      const l = new Listener(${JSON.stringify(first.address)});
      await l.ready().catch((e) => console.log(e.code));
      l.close();
      process.exit(0);`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', program], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.stdout.trim()).toBe('EADDRINUSE');
    expect(existsSync(first.address as string)).toBe(true);
  }, 25_000);

  it("a manager started on a user's file fails, and its shutdown leaves the file", async () => {
    const file = join(scratch(), 'data.txt');
    writeFileSync(file, 'manager must not eat me\n');
    const m = new BaseManager({ address: file });
    await expect(m.start()).rejects.toMatchObject({ code: 'EADDRINUSE' });
    await m.shutdown().catch(() => {});
    expect(readFileSync(file, 'utf8')).toBe('manager must not eat me\n');
  }, 10_000);

  // Manager() serves at once, before Node reports the bind's error: it let its proxies connect to
  // whoever listened at the path (another manager: "the manager is gone"; a Listener with another
  // key: AuthenticationError) instead of saying the address is in use.
  it('Manager() at a path in use throws EADDRINUSE at once, leaving what is there', async () => {
    const other = Manager({ address: join(scratch(), 'm.sock') });
    cleanup.push(() => other.shutdown());
    const d = other.dict({ a: 1 });
    expect(() => Manager({ address: other.address })).toThrow(
      expect.objectContaining({ code: 'EADDRINUSE' }),
    );
    expect(await d.get('a')).toBe(1);
    const file = join(scratch(), 'notes.txt');
    writeFileSync(file, 'keep me\n');
    expect(() => Manager({ address: file })).toThrow(expect.objectContaining({ code: 'EADDRINUSE' }));
    expect(readFileSync(file, 'utf8')).toBe('keep me\n');
    expect(() => Manager({ address: join(scratch(), 'no-such-folder', 'm.sock') })).toThrow(ProcessError);
  }, 10_000);

  it('a listener that bound its path removes its own socket file on close', async () => {
    const l = listen(join(scratch(), 'own.sock'));
    await l.ready();
    expect(existsSync(l.address as string)).toBe(true);
    l.close();
    expect(existsSync(l.address as string)).toBe(false);
  }, 10_000);
});

describe.skipIf(process.platform === 'win32')('the mode of a socket file', () => {
  const mode = (path: string): number => statSync(path).mode & 0o777;
  // The umask's mode for a new socket file (0777 less the umask): what a path the user gives gets.
  function umasked(): number {
    const probe = join(scratch(), 'probe');
    writeFileSync(probe, '', { mode: 0o777 });
    return mode(probe);
  }

  it("a Listener's and a manager's default socket is reachable by this user only (0600)", async () => {
    const l = listen();
    await l.ready();
    expect(mode(l.address as string)).toBe(0o600);
    const m = new SyncManager();
    cleanup.push(() => m.shutdown());
    const address = await m.start();
    expect(mode(address as string)).toBe(0o600);
    // Still reachable by this user.
    const c = new SyncManager({ address });
    await c.connect();
    cleanup.push(() => c.shutdown());
    expect(await c.dict().len()).toBe(0);
  }, 10_000);

  it('a path the user gave keeps the mode the umask made, as in Python', async () => {
    const l = listen(join(scratch(), 'given.sock'));
    await l.ready();
    expect(mode(l.address as string)).toBe(umasked());
    const m = new BaseManager({ address: join(scratch(), 'given-m.sock') });
    cleanup.push(() => m.shutdown());
    expect(mode((await m.start()) as string)).toBe(umasked());
  }, 10_000);
});
