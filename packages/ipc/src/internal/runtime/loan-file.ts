/**
 * A loan to a copy in another process (protocol/loan.ts). Processes share no memory, so the loan's
 * (seq, left) word is the name of the one file in a folder beside the home's socket, and every step
 * on it is a rename, which the kernel makes atomic: the copy claims an item by renaming `word` to
 * `word - 1`, the home takes the loan back by renaming whatever name is there to `(seq, 0)`. Exactly
 * one of two racing renames of a name succeeds; the other finds no such file (ENOENT). So, as with a
 * thread's CAS, the home takes back what is unclaimed at once, without the copy's answer, while the
 * copy may be busy or blocked for seconds.
 *
 * ```
 *   <socket>.<token>.loan/   one empty file named by the word (seq << 20 | left), for example
 *        1048832             seq 1, 256 left: the copy renames it to 1048831 when a get claims one
 *        home-<pid>-<start>-<ns>   the home's mark, and once its first loan arrived the consumer's:
 *        copy-<pid>-<start>-<ns>   which processes may use it (loan-owner.ts)
 * ```
 *
 * A rename costs ~5 µs (tmpfs), a wake-up of a process tens: a consumer served one item per round
 * trip spends more on the trip than on the claims of a whole loan. Once the home has made a named
 * pipe in the folder (loan-pipe.ts, after the consumer's first loan), a loan is records in it
 * instead (the word's {@link PIPED} bit says so): a claim reads one, the take-back reads the rest.
 *
 * A folder a SIGKILLed home left is swept by a later program of this library (stale-loans.ts), never
 * while its home or a marked consumer may still use it.
 */
import { mkdirSync, readdirSync, renameSync, rmdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { existsReadable, mayReadWrite } from '../net/fs-permission.js';
import type { LoanCell } from '../protocol/loan.js';
import { flushAtExit } from './exit.js';
import { ownMark, type Role } from './loan-owner.js';
import { closePipe, makePipe, openPipe, PIPED, readRecord, takeRecords, writeLoan } from './loan-pipe.js';

const SEQ_SHIFT = 20;
const LEFT = (1 << SEQ_SHIFT) - 1;

let shm: boolean | undefined;

/**
 * The loan cell of the copy that dials `socketPath` with `token`; null where there is none. Both
 * sides name the same folder: in /dev/shm where there is one (memory: a rename costs ~4.8 µs there,
 * ~6.8 in a disk's temp folder), else beside the socket. A copy that cannot reach it (another mount
 * namespace) only fails its claims and asks the home instead: nothing is lost.
 */
export function fileCell(socketPath: string, token: string): FileCell | null {
  // A Windows named pipe has no folder beside it: its copies are not lent to.
  if (process.platform === 'win32') return null;
  const base = inShm() ? `/dev/shm/${basename(socketPath)}` : socketPath;
  return new FileCell(`${base}.${token}.loan`);
}

/** The folder the loan folders of a home whose socket is in `socketDir` are made in. */
export function loanFolderDir(socketDir: string): string {
  return inShm() ? '/dev/shm' : socketDir;
}

function inShm(): boolean {
  shm ??= process.platform === 'linux' && usable('/dev/shm');
  return shm;
}

/**
 * Whether this program can make folders in `dir`. Under Node's permission model a folder it may
 * not read or write is not (there `existsSync` throws `ERR_ACCESS_DENIED` instead of answering).
 */
function usable(dir: string): boolean {
  return mayReadWrite(dir) && existsReadable(dir);
}

// The folders this realm's homes made, removed when it ends (a SIGKILL leaves them, as it leaves
// the socket file beside them).
const dirs = new Set<string>();
const removeAll = (): void => {
  for (const dir of dirs) remove(dir);
};

// Best effort: a consumer writing its mark meanwhile makes it fail (ENOTEMPTY); the sweep takes it then.
// Not a recursive rmSync: Node walks the folder with lstatSync, and a stat of its FIFO (a loan pipe)
// stops fs.realpathSync resolving symlinks, so the program's later imports through one failed
// (Node 20 and 22, nodejs/node#51142). The entries' types come from the folder listing instead.
function remove(dir: string): void {
  try {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      try {
        if (entry.isDirectory()) remove(path);
        else unlinkSync(path);
      } catch {}
    }
    rmdirSync(dir);
  } catch {}
}

// Best effort: a folder nobody marked is judged by its home's socket alone (stale-loans.ts).
function mark(dir: string, role: Role): void {
  try {
    writeFileSync(`${dir}/${ownMark(role)}`, '', { flag: 'wx', mode: 0o600 });
  } catch {}
}

function missing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT';
}

// The folder's names; none once it is gone (removed by someone else: the copy claims nothing more).
function namesIn(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (err) {
    if (missing(err)) return [];
    throw err;
  }
}

/** The loan word of a copy in another process, as a file name (both sides make one). */
export class FileCell implements LoanCell {
  readonly #dir: string;
  // Home: the name the file has, as far as the home moved it (null: no file yet).
  #at: number | null = null;
  // Copy: the word as its last claim left it.
  #word = 0;
  // Copy: whether this process marked the folder as one it claims from (loan-owner.ts).
  #marked = false;
  // The folder's pipe, open here (-1: none yet); home: 0 none asked, 1 being made, 2 made or none to
  // be had, 3 disposed.
  #fd = -1;
  #pipe = 0;
  // Home: the folder is made; the loan out is records in the pipe; the pipe is made at once (tests).
  #made = false;
  #piped = false;
  readonly #pipeNow: boolean;

  constructor(dir: string, opts: { pipeNow?: boolean } = {}) {
    this.#dir = dir;
    this.#pipeNow = opts.pipeNow ?? false;
  }

  #path(word: number): string {
    return `${this.#dir}/${word}`;
  }

  lend(word: number): number | null {
    if (this.#pipeNow && this.#pipe === 0 && this.#setUp()) this.#makePipe(); // tests: from the first loan
    // The last loan is over (drained or taken back): its records are all read.
    this.#piped = this.#fd >= 0;
    if (this.#piped) return writeLoan(this.#fd, word | PIPED) ? word | PIPED : null;
    // The last loan is over (drained or taken back): the copy moves its name no more.
    if (this.#at !== null) {
      try {
        renameSync(this.#path(this.#at), this.#path(word));
        this.#at = word;
        return word;
      } catch {
        remove(this.#dir); // lost somehow: start again
        this.#made = false;
      }
    }
    try {
      if (!this.#setUp()) throw new Error('no loan folder');
      writeFileSync(this.#path(word), '', { flag: 'wx', mode: 0o600 });
      this.#at = word;
      return word;
    } catch {
      this.#at = null;
      return null; // not lent: its items stay at home
    }
  }

  // Home: the folder, marked as this home's; false when it cannot be made.
  #setUp(): boolean {
    if (this.#made) return true;
    try {
      // After the exit flush (installed first), which may still take loans back.
      flushAtExit();
      if (dirs.size === 0) process.on('exit', removeAll);
      dirs.add(this.#dir);
      mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
      mark(this.#dir, 'home'); // before the word: a folder without it is judged by the socket alone
      this.#made = true;
    } catch {}
    return this.#made;
  }

  // Home, once the consumer claimed (so it marked the folder first, which keeps the pipe from a
  // sweep while it lives, stale-loans.ts): a pipe for the next loans.
  #makePipe(): void {
    if (this.#pipe !== 0 || !this.#made) return;
    this.#pipe = 1;
    makePipe(`${this.#dir}/pipe`, this.#pipeNow, (fd) => {
      if (this.#pipe === 3)
        closePipe(fd); // disposed meanwhile
      else [this.#pipe, this.#fd] = [2, fd];
    });
  }

  drained(seq: number, most: number): boolean {
    if (most > 0) return false;
    // Every item of it reported taken: the copy read every record, or renamed the file down to 0.
    if (!this.#piped) {
      this.#at = seq << SEQ_SHIFT;
      this.#makePipe(); // it claims
    }
    return true;
  }

  /** A pipe's oldest records can be read alone; a file's name, which the copy renames from the one it
   * last made, cannot be moved under it. */
  get partial(): boolean {
    return this.#piped;
  }

  takeBack(seq: number, most: number, want = Number.POSITIVE_INFINITY): number {
    if (this.#piped) return Math.min(takeRecords(this.#fd, seq, want), most);
    const zero = seq << SEQ_SHIFT;
    if (this.#at === zero) return 0;
    // The name only goes down while the copy claims. Read it (a copy at work has claimed more than
    // it reported: a guess from its reports mostly fails, and a failed rename costs more than a read),
    // then take it; if the copy claimed once more meanwhile, read again.
    let left = most;
    while (left > 0) {
      const name = namesIn(this.#dir).find((n) => Number(n) >>> SEQ_SHIFT === seq);
      left = name === undefined ? 0 : Number(name) & LEFT;
      if (left === 0) break;
      try {
        renameSync(this.#path(zero | left), this.#path(zero));
        break;
      } catch (err) {
        if (!missing(err)) throw err;
      }
    }
    if (left < ((this.#at ?? 0) & LEFT)) this.#makePipe(); // it claimed
    this.#at = zero;
    return Math.min(left, most);
  }

  lent(word: number): void {
    this.#word = word;
    if (word & PIPED && this.#fd < 0 && (this.#fd = openPipe(`${this.#dir}/pipe`)) < 0)
      this.#word = (word >>> SEQ_SHIFT) << SEQ_SHIFT; // no pipe here: the home takes all of it back
    if (this.#marked) return;
    // Once: a home that dies now leaves the folder to this process, which may still claim from it.
    this.#marked = true;
    mark(this.#dir, 'copy');
  }

  claim(seq: number): number {
    const w = this.#word;
    const left = w & LEFT;
    if (w >>> SEQ_SHIFT !== seq || left === 0) return 0;
    if (w & PIPED) {
      // The pipe holds this loan's records or none (the home took them back): the copy forgets a
      // loan whenever one of its gets waits at home (receiver.ts), the only time it is lent again.
      const rec = readRecord(this.#fd);
      const ours = rec !== null && rec >>> SEQ_SHIFT === seq;
      this.#word = ours ? rec - 1 : seq << SEQ_SHIFT;
      return ours ? rec & LEFT : 0;
    }
    try {
      renameSync(this.#path(w), this.#path(w - 1));
    } catch {
      this.#word = seq << SEQ_SHIFT; // the home took it back (or the folder is gone): none is ours
      return 0;
    }
    this.#word = w - 1;
    return left;
  }

  end(seq: number): void {
    const w = this.#word;
    if (w >>> SEQ_SHIFT !== seq || (w & LEFT) === 0) return;
    this.#word = seq << SEQ_SHIFT;
    if (w & PIPED) return; // its records stay: the home reads them back
    try {
      renameSync(this.#path(w), this.#path(this.#word));
    } catch {
      // taken back already
    }
  }

  dispose(): void {
    this.#pipe = 3;
    closePipe(this.#fd);
    this.#fd = -1;
    if (!this.#made) return;
    [this.#at, this.#made] = [null, false];
    remove(this.#dir);
    dirs.delete(this.#dir);
    if (dirs.size === 0) process.off('exit', removeAll);
  }
}
