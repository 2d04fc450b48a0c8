/**
 * What a program holds open, counted from outside the library: file descriptors, the event loop's
 * active resources, OS threads and child processes. Linux reads `/proc`; elsewhere the `/proc`
 * counts read 0 and only `process.getActiveResourcesInfo()` counts.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** One count of everything a leak would show in. */
export interface Resources {
  /** Open file descriptors (`/proc/self/fd`). */
  readonly fds: number;
  /** What each open descriptor points at (`socket:[ino]`, a path, ...), to name a leak. */
  readonly fdTargets: readonly string[];
  /** OS threads of this process (`/proc/self/status`); worker threads are among them. */
  readonly threads: number;
  /** Live child processes whose parent is this process. */
  readonly children: number;
  /** `process.getActiveResourcesInfo()`, counted by kind (timers, handles, sockets, ...). */
  readonly active: Readonly<Record<string, number>>;
  /** Resident set size in bytes. */
  readonly rss: number;
}

/** The entries of `dir`, or none where it cannot be read (no `/proc` here). */
function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function fdTargets(): string[] {
  const out: string[] = [];
  for (const fd of list('/proc/self/fd')) {
    try {
      out.push(readlinkSync(`/proc/self/fd/${fd}`));
    } catch {}
  }
  return out;
}

function statusField(field: string): number {
  try {
    const line = readFileSync('/proc/self/status', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${field}:`));
    return line ? Number.parseInt(line.slice(field.length + 1), 10) : 0;
  } catch {
    return 0;
  }
}

/** The pids of live (not zombie) processes whose parent is this one. */
export function childPids(): number[] {
  const pids: number[] = [];
  for (const name of list('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // "pid (comm) state ppid ...": comm may hold spaces, so read after its closing parenthesis.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(ppid) === process.pid && state !== 'Z') pids.push(Number(name));
    } catch {}
  }
  return pids;
}

/** Counts what this process holds open right now. */
export function snapshot(): Resources {
  // Node makes the stdout/stderr handles on first use (a worker's forwarded output, say): they live
  // as long as the process and are no leak, so they are made before anything is counted.
  void process.stdout;
  void process.stderr;
  const active: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) active[kind] = (active[kind] ?? 0) + 1;
  return {
    fds: list('/proc/self/fd').length,
    fdTargets: fdTargets(),
    threads: statusField('Threads'),
    children: childPids().length,
    active,
    rss: process.memoryUsage.rss(),
  };
}

/** What `after` holds beyond `before`: a list of "kind +n", empty when nothing leaked. */
export function leaked(before: Resources, after: Resources): string[] {
  const out: string[] = [];
  if (after.fds > before.fds) {
    // Named, so a leak says whose it is (a socket, a module file a thread was loading, ...).
    const named = newTargets(before.fdTargets, after.fdTargets);
    out.push(`fds +${after.fds - before.fds}${named.length > 0 ? ` (${named.join(', ')})` : ''}`);
  }
  for (const key of ['threads', 'children'] as const) {
    if (after[key] > before[key]) out.push(`${key} +${after[key] - before[key]}`);
  }
  for (const [kind, n] of Object.entries(after.active)) {
    const was = before.active[kind] ?? 0;
    if (n > was) out.push(`${kind} +${n - was}`);
  }
  return out;
}

/** The entries of `after` beyond those of `before`, counted as multisets. */
function newTargets(before: readonly string[], after: readonly string[]): string[] {
  const left = new Map<string, number>();
  for (const t of before) left.set(t, (left.get(t) ?? 0) + 1);
  const out: string[] = [];
  for (const t of after) {
    const n = left.get(t) ?? 0;
    if (n > 0) left.set(t, n - 1);
    else out.push(t);
  }
  return out;
}

/**
 * Waits (up to `limitMs`) until nothing is held beyond `before`: exits, closes and unrefs finish
 * a few turns after the call that asked for them. Returns what is still held then.
 */
export async function settleTo(before: Resources, limitMs = 30_000): Promise<string[]> {
  const end = Date.now() + limitMs;
  for (;;) {
    const extra = leaked(before, snapshot());
    if (extra.length === 0 || Date.now() >= end) return extra;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
