/**
 * Loan folders (loan-file.ts) a SIGKILLed home left, swept with the socket files (stale-sockets.ts).
 * A folder is named after its home's socket and its consumer's token,
 * `mp-<pid>-<thread>-<hex>.sock.<uuid>.loan` (in /dev/shm on Linux, else beside the socket), and
 * holds the loan's word, its pipe once made (loan-pipe.ts) and the marks of the processes that use
 * it (loan-owner.ts).
 *
 * A dead home's folder may still matter to its consumer, a copy in another process that outlives
 * it: it claims what it was lent by renaming in that folder, and a claim that finds the folder gone
 * loses the item. So a folder goes only when all of these hold:
 *
 * - its name is exactly of that form, it is a folder (not a link) owned by this user;
 * - it holds only a loan word, a pipe and marks (anything else: not ours to judge); a pipe is made
 *   only once its consumer claimed, so after that consumer marked the folder, whose mark judges it;
 * - its home is gone: its mark says so (its pid, start time and pid namespace), or, where it has
 *   none, the same sweep judged its socket stale (its pid gone, nobody listening on it). A folder
 *   with neither (another program's folder being made, or one whose socket is gone) stays;
 * - every consumer that marked it is gone (loan-owner.ts);
 * - and a consumer marked it, or no item of its loan is left unclaimed: an unmarked loan with items
 *   left may be on its way to a consumer that has not read it yet.
 *
 * A stale socket whose folder stays stays too, so that a later sweep can judge its home again.
 * A dead home lends nothing more and nobody else takes back, so once judged, a folder changes only
 * by a live consumer's claims and mark, both of which keep it.
 */
import { join } from 'node:path';
import { loanFolderDir } from './loan-file.js';
import { isMarkGone, markRole } from './loan-owner.js';

/** A loan folder's name: group 1 is its home's socket name (the broker's form), then a UUID token. */
const FOLDER =
  /^(mp-\d+-\d+-[0-9a-f]{12}\.sock)\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.loan$/;
/** A loan word's name (loan-file.ts): seq in the high bits, the items left in the low 20. */
const WORD = /^\d{1,10}$/;
const LEFT = (1 << 20) - 1;

/**
 * Removes the loan folders owned by user `uid` that are of use to nobody (see the module comment),
 * where loan-file.ts places those of homes whose socket is in `socketDir`; `staleSockets` names the
 * sockets in `socketDir` this sweep judged stale. Returns the names of those whose folder stays.
 */
export async function sweepLoanFolders(
  socketDir: string,
  uid: number | undefined,
  staleSockets: ReadonlySet<string>,
): Promise<Set<string>> {
  const dir = loanFolderDir(socketDir);
  const kept = new Set<string>();
  let names: string[];
  try {
    names = await fsp().readdir(dir);
  } catch {
    return kept; // none can be seen: none is judged
  }
  for (const name of names) {
    const socket = FOLDER.exec(name)?.[1];
    if (socket === undefined) continue;
    const stale = staleSockets.has(socket);
    if (!(await remove(join(dir, name), uid, stale)) && stale) kept.add(socket);
  }
  return kept;
}

// Read at a sweep, not when the first-use code loads (issue #18).
const fsp = (): typeof import('node:fs/promises') => process.getBuiltinModule('node:fs/promises');

/** Removes the folder at `path` if nobody may use it any more; whether it is gone. */
async function remove(path: string, uid: number | undefined, staleSocket: boolean): Promise<boolean> {
  try {
    const stat = await fsp().lstat(path);
    if (!stat.isDirectory() || (uid !== undefined && stat.uid !== uid)) return false;
    if (!unused(await fsp().readdir(path), staleSocket)) return false;
    await fsp().rm(path, { recursive: true, force: true });
    return true;
  } catch (err) {
    // Gone already; anything else (a mark written meanwhile: ENOTEMPTY) keeps it for a later sweep.
    return (err as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

/** Whether a loan folder holding `names` is of use to nobody (see the module comment). */
function unused(names: readonly string[], staleSocket: boolean): boolean {
  let homeGone = staleSocket;
  let consumer = false;
  let unclaimed = false;
  for (const name of names) {
    if (name === 'pipe') continue;
    if (WORD.test(name)) {
      unclaimed ||= (Number(name) & LEFT) > 0;
      continue;
    }
    const role = markRole(name);
    if (role === null || !isMarkGone(name)) return false; // not ours, or its process may live
    if (role === 'home') homeGone = true;
    else consumer = true;
  }
  return homeGone && (consumer || !unclaimed);
}
