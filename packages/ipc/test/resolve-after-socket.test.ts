/**
 * Binding a socket must leave the program's module loading as it was. Node 20 and 22 keep the last
 * synchronous `stat` in one shared array that `fs.realpathSync` reads back by mistake: after a
 * stat of a socket (or pipe) there, it stopped resolving symlinks (nodejs/node#51142), and a
 * program that had used a `Listener` (or a manager) then failed to import a package reached
 * through a symlink (pnpm's layout): "Cannot find module '@ioredis/commands'" from
 * `node_modules/@multiproc/bullmq/node_modules/ioredis`. Run in a child of its own: the state is
 * the process's.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

test('a module imported through a symlinked folder loads from its real path while and after a Listener binds', () => {
  const fixture = fileURLToPath(new URL('./fixtures/resolve-after-socket.mjs', import.meta.url));
  const out = execFileSync(process.execPath, [fixture], { encoding: 'utf8', timeout: 30_000 });
  const { open, closed, expected } = JSON.parse(out.trim().split('\n').pop()!);
  expect({ open, closed }).toEqual(expected);
}, 40_000);
