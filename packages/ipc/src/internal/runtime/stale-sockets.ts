/**
 * Socket files a SIGKILLed program left in the temp folder (socket-files.ts removes a program's
 * own at any other end): each time this realm binds a new one, the temp folder is swept of the
 * files this library names (`mp-<pid>-<thread>-<hex>.sock` of the queue and pipe broker,
 * `mp-listener-<pid>-<hex>.sock` of a `Listener` or manager with no address given) whose owner
 * is gone. A file is removed only when all of these hold, so a live program's is never touched:
 *
 * - its name is one of those two forms (a user's own file, and the `.left` files a dead home
 *   leaves for its live copies, are never swept);
 * - it is a socket owned by this user;
 * - the pid in its name is not running (`kill(pid, 0)` says ESRCH). A pid reused by another
 *   program keeps the file: a stale file left, never a live one removed;
 * - nobody listens on it (a connection is refused): this holds even when the pid is of another
 *   pid namespace sharing the temp folder (a container), where the pid means nothing here;
 * - it is still the same file (inode) when it is removed;
 * - the loan folders of a queue broker's socket (stale-loans.ts) went first: a folder a consumer
 *   alive may still claim from keeps the socket, which is judged again by a later sweep.
 *
 * The sweep runs in the background (one at a time per realm, nothing holds the program open for
 * it) and ignores every error: it is housekeeping.
 */
import { join } from 'node:path';
import { socketDir } from '../net/socket-path.js';
import { isRunning } from './loan-owner.js';
import { sweepLoanFolders } from './stale-loans.js';

/** The names this library gives the socket files it binds in the temp folder; group 1 is the owner's pid. */
const OURS = /^mp-(?:listener-)?(\d+)-(?:\d+-)?[0-9a-f]{12}\.sock$/;

/** How long a connection attempt to a candidate may take (ms): a live listener answers at once. */
const CONNECT_MS = 1000;

let sweeping: Promise<void> | null = null;
let again = false;

/** Sweeps the temp folder of stale socket files of this library, in the background. */
export function sweepStaleSockets(): void {
  if (process.platform === 'win32') return; // named pipes leave no file
  if (sweeping) {
    again = true;
    return;
  }
  sweeping = sweep()
    .catch(() => {})
    .finally(() => {
      sweeping = null;
      if (!again) return;
      again = false;
      sweepStaleSockets();
    });
}

/** Resolves once no sweep runs (for tests). @internal */
export async function staleSocketsSwept(): Promise<void> {
  while (sweeping) await sweeping;
}

async function sweep(): Promise<void> {
  // Read here, not when the first-use code loads (issue #18).
  const { lstat, readdir, unlink } = process.getBuiltinModule('node:fs/promises');
  const dir = socketDir(); // where this program binds: bound once already, so it is usable
  const uid = process.getuid?.();
  const stale = new Map<string, number>(); // name → inode when judged
  for (const name of await readdir(dir)) {
    const pid = Number(OURS.exec(name)?.[1] ?? Number.NaN);
    if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid || isRunning(pid)) continue;
    try {
      const stat = await lstat(join(dir, name));
      if (!stat.isSocket() || (uid !== undefined && stat.uid !== uid)) continue;
      if (await refused(join(dir, name))) stale.set(name, stat.ino);
    } catch {
      // Gone already, or not ours to judge.
    }
  }
  // Loan folders first: one a consumer may still use keeps its home's socket (stale-loans.ts).
  const kept = await sweepLoanFolders(dir, uid, new Set(stale.keys()));
  for (const [name, ino] of stale) {
    if (kept.has(name)) continue;
    try {
      // The same file still (not one bound at this path since): its inode.
      if ((await lstat(join(dir, name))).ino === ino) await unlink(join(dir, name));
    } catch {
      // Gone already.
    }
  }
}

/** Whether a connection to the socket at `path` is refused: nobody listens there. */
function refused(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = process.getBuiltinModule('node:net').connect(path);
    socket.unref();
    const done = (stale: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(stale);
    };
    const timer = setTimeout(() => done(false), CONNECT_MS);
    timer.unref();
    socket.once('connect', () => done(false));
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code === 'ECONNREFUSED'));
  });
}
