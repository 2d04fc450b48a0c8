/**
 * Who a loan folder (loan-file.ts) still matters to, for the sweep of folders a SIGKILLed home left
 * (stale-loans.ts). Its home, which makes it, and its consumer, a copy in another process that may
 * outlive its home and claim what it was lent from the folder alone, each mark it with an empty file
 * naming their process:
 *
 * ```
 *   home-<pid>-<start>-<pidns>   written with the folder
 *   copy-<pid>-<start>-<pidns>   written when the consumer's first loan arrives
 *                                start: the process's start time (/proc/<pid>/stat, field 22, clock
 *                                ticks since boot); pidns: its pid namespace's inode; `x` where unknown
 * ```
 *
 * A mark's process is gone only when its pid is read in the sweeper's own pid namespace and that pid
 * runs no more (`kill(pid, 0)`: ESRCH) or runs a process started at another time (the pid was
 * reused). Anything else (another namespace, a start time that cannot be read) counts as alive: a
 * stale folder left, never a live one removed.
 */
import { readFileSync, readlinkSync } from 'node:fs';

const MARK = /^(home|copy)-(\d+)-(\d+|x)-(\d+|x)$/;

/** Who marks a loan folder. */
export type Role = 'home' | 'copy';

let own: string | undefined;
let ownNs: string | undefined;

/** Whether process `pid` runs (or exists under another user: EPERM); false only for ESRCH. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** The name of the file by which this process marks a loan folder it made or claims from. */
export function ownMark(role: Role): string {
  own ??= `${process.pid}-${startOf('self') ?? 'x'}-${pidNamespace()}`;
  return `${role}-${own}`;
}

/** Whose mark `name` is (see {@link ownMark}); null when it is none. */
export function markRole(name: string): Role | null {
  return (MARK.exec(name)?.[1] as Role | undefined) ?? null;
}

/** Whether the consumer that wrote mark `name` is certainly gone (see the module comment). */
export function isMarkGone(name: string): boolean {
  const m = MARK.exec(name);
  // Another pid namespace's pid means nothing here; on Linux, neither does one of an unknown namespace.
  if (m === null || m[4] !== pidNamespace() || (m[4] === 'x' && process.platform === 'linux')) return false;
  const pid = Number(m[2]);
  if (pid === process.pid) return false;
  if (!isRunning(pid)) return true;
  if (m[3] === 'x') return false;
  const start = startOf(String(pid));
  return start !== null && start !== m[3];
}

/** The start time of process `pid` ('self' for this one), from /proc; null where none can be read. */
function startOf(pid: string): string | null {
  if (process.platform !== 'linux') return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // Fields after the command name, which may hold spaces and parentheses: field 3 on.
    const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    return start !== undefined && /^\d+$/.test(start) ? start : null;
  } catch {
    return null;
  }
}

/** This process's pid namespace (the inode in `pid:[4026531836]`); `x` where unknown. */
function pidNamespace(): string {
  if (ownNs !== undefined) return ownNs;
  ownNs = 'x';
  if (process.platform === 'linux') {
    try {
      ownNs = /^pid:\[(\d+)\]$/.exec(readlinkSync('/proc/self/ns/pid'))?.[1] ?? 'x';
    } catch {}
  }
  return ownNs;
}
