// Sockets between processes are private to the user: a Unix socket file is 0600 or sits in a
// 0700 directory (or is abstract/anonymous, with no file at all). Found from outside the
// library: this process's socket fds, looked up in /proc/net/unix.
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { Process } from '@multiproc/core';
import { Pipe } from '@multiproc/ipc';
import { describe, expect, it } from 'vitest';
import { tasks } from '../src/tasks.ts';

/** The paths of the Unix sockets this process holds ('@name' for abstract ones). */
function mySocketPaths(): string[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {}
  }
  return readFileSync('/proc/net/unix', 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((cols) => cols.length >= 8 && inodes.has(cols[6]!))
    .map((cols) => cols[7]!);
}

describe.runIf(process.platform === 'linux')('sockets between processes', () => {
  it('are 0600 or in a 0700 directory', async () => {
    const [mine, theirs] = Pipe();
    const p = new Process({ target: tasks.echoOnPipe, args: [theirs], context: 'process' });
    p.start();
    theirs.close();
    mine.send('hello');
    expect(await mine.recv()).toBe('hello');
    const paths = mySocketPaths().filter((path) => !path.startsWith('@'));
    expect(paths.length).toBeGreaterThan(0); // the broker's listening socket is found
    for (const path of paths) {
      const file = statSync(path).mode & 0o777;
      const dir = statSync(dirname(path)).mode & 0o777;
      expect({ path, private: (file & 0o077) === 0 || (dir & 0o077) === 0 }).toEqual({ path, private: true });
    }
    mine.close();
    await p.join();
  }, 30_000);
});
