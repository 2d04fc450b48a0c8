/**
 * The Unix socket files this realm bound (a `Listener`'s, a manager's, the queue and pipe broker's)
 * are removed however the program ends, as Python removes its own:
 *
 * - `close()` removes its file and forgets it ({@link forgetSocketFile});
 * - `process.exit()`, an uncaught error and a normal end run `'exit'` listeners, synchronously:
 *   one removes what is left;
 * - a signal (SIGINT, SIGTERM, SIGHUP, SIGQUIT) ends the program as it ends any Node program, with
 *   no listener of ours: a JavaScript listener runs only when the event loop turns, so it would
 *   keep a main thread that blocks (`acquireSync()`) or computes from ever ending on the signal.
 *   The file stays, as Python's do on SIGTERM, until the next program of this library sweeps it.
 *
 * Only a file this realm bound is removed, and only while it is the same file (its inode): a
 * Listener whose bind failed (EADDRINUSE: another listener's socket, or a user's regular file at
 * that path) never registers it, and a path bound again by someone else after ours went is theirs.
 *
 * SIGKILL cannot be helped here (Python leaves its directory too): the next program of this
 * library that binds a socket file removes the files of owners that are gone (stale-sockets.ts),
 * and the loan folders of its work queues once nobody may use them (stale-loans.ts).
 * Windows pipes leave no file.
 */
import { statSync, unlinkSync } from 'node:fs';
import { sweepStaleSockets } from './stale-sockets.js';

/** Each registered path, with the inode it had when this realm bound it. */
const paths = new Map<string, bigint>();
let listening = false;

/**
 * Removes `path`, which this realm has just bound, when this realm ends, unless
 * {@link forgetSocketFile} or {@link removeSocketFile} is called first. Registering it again is
 * a no-op. Returns whether it is registered (false: gone already, or Windows, whose pipes leave
 * no file).
 */
export function removeSocketFileAtEnd(path: string): boolean {
  if (process.platform === 'win32') return false;
  const ino = inodeOf(path);
  if (ino === null) return false; // gone already: nothing of ours to remove
  if (paths.get(path) === ino) return true;
  paths.set(path, ino);
  sweepStaleSockets();
  if (!listening) process.on('exit', removeAll);
  listening = true;
  return true;
}

/** Removes `path` now if this realm registered it and it is still that file; forgets it. */
export function removeSocketFile(path: string): void {
  const ino = paths.get(path);
  if (ino !== undefined) unlinkIfSame(path, ino);
  forgetSocketFile(path);
}

/** `path` is gone or no longer ours (its `close()` removed it). */
export function forgetSocketFile(path: string): void {
  paths.delete(path);
  if (paths.size === 0) stopListening();
}

function stopListening(): void {
  if (!listening) return;
  listening = false;
  process.off('exit', removeAll);
}

function removeAll(): void {
  for (const [path, ino] of paths) unlinkIfSame(path, ino);
  paths.clear();
}

/**
 * The inode of `path`, read as a bigint: Node 20 and 22 keep the last synchronous `stat` in one
 * shared array that `fs.realpathSync` reads back by mistake, and after a socket's stat there it
 * stops resolving symlinks, so the program's later imports of packages reached through a symlink
 * (pnpm's layout) failed to find their dependencies (nodejs/node#51142). The bigint form fills
 * another array.
 */
function inodeOf(path: string): bigint | null {
  try {
    return statSync(path, { bigint: true }).ino;
  } catch {
    return null;
  }
}

function unlinkIfSame(path: string, ino: bigint): void {
  if (inodeOf(path) !== ino) return;
  try {
    unlinkSync(path);
  } catch {}
}
