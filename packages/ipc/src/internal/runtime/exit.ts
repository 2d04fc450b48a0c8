/**
 * What makes a worker's last messages arrive: the flush hook its entry awaits after each task and
 * before exiting, and a synchronous flush when the process or thread ends without it (a target
 * that calls `process.exit()`, an uncaught error).
 *
 * The hook, `globalThis[Symbol.for('multiproc.ipc.flush')]`, lets worker entries call it without
 * importing this package: `await globalThis[Symbol.for('multiproc.ipc.flush')]?.()`. It gives back
 * what every copy of this thread read ahead, and resolves once the home of each has applied
 * everything the copy sent and answered every waiting put. Its `idle()` says whether it would do
 * nothing (no copy lives in this realm); its `endsNormally()` tells the managers this realm uses
 * that it is ending normally (what it holds of their plain Locks and semaphores stays taken).
 *
 * At `exit` the event loop will not run again: every link writes what it holds synchronously (a
 * port posts it; a socket writes it to its descriptor), and a copy over a socket waits, for at most
 * {@link EXIT_FLUSH_MS}, until its home confirms, so its home sees the values before the end.
 */
import { broker } from './broker.js';

/** What the hooks need of a copy. */
interface Flushable {
  flush(): Promise<void>;
  /** At exit; `exitCode` 0 when the thread or process ends normally. */
  flushSync(deadline: number, exitCode?: number): void;
  /** This thread or process ends normally: a manager connection says so (client.ts). */
  endsNormally?(): void;
}

/** The longest a process's exit waits for its homes to confirm its last messages. */
export const EXIT_FLUSH_MS = 5000;

const remotes = new Set<Flushable>();
const beforeFlush = new Set<() => void>();
const beforeFlushAll = new Set<() => void>();
let installed = false;

/**
 * `fn` runs at exit before the copies flush: reports that wait for a microtask which never comes
 * when a task calls `process.exit()` in the turn it sent them (a proxy's pin, client-refs.ts).
 * Installs the flush at exit too.
 */
export function beforeExitFlush(fn: () => void): void {
  beforeFlush.add(fn);
  flushAtExit();
}

/**
 * `fn` runs as {@link flushAll} begins (a Process's end, a pool batch's answer: the event loop still
 * runs), before the copies flush: reports that need a connection made now (a TCP manager's proxy,
 * client-refs.ts), which cannot be made at exit.
 */
export function beforeFlushing(fn: () => void): void {
  beforeFlushAll.add(fn);
}

export function trackRemote(h: Flushable): void {
  remotes.add(h);
  flushAtExit();
}

/** Installs the synchronous flush at exit (once; homes call it too, for what they owe their copies). */
export function flushAtExit(): void {
  if (installed) return;
  installed = true;
  process.on('exit', flushAllSync);
}

export function untrackRemote(h: Flushable): void {
  remotes.delete(h);
}

/** Gives back what each copy read ahead; resolves once each home applied what its copy sent. */
export async function flushAll(): Promise<void> {
  for (const fn of beforeFlushAll) fn();
  await Promise.all([...remotes].map((h) => h.flush()));
}

function flushAllSync(exitCode: number): void {
  const deadline = Date.now() + EXIT_FLUSH_MS;
  for (const fn of beforeFlush) fn();
  for (const obj of broker().objects()) obj.flushSync(deadline);
  for (const h of [...remotes]) h.flushSync(deadline, exitCode);
}

/**
 * Tells every manager this realm is connected to that it ends normally (a pool worker that retires
 * after `maxTasksPerChild`, which its pool then stops): the Lock and semaphore permits it holds
 * there stay taken, as they do for a thread or process that exits with code 0.
 */
function endsNormally(): void {
  for (const h of remotes) h.endsNormally?.();
}

/** Whether `flushAll` would do nothing: a pool worker then answers its batch without awaiting it. */
function idle(): boolean {
  // What must be reported over a connection made now makes it first (then this is not idle).
  for (const fn of beforeFlushAll) fn();
  return remotes.size === 0;
}

(globalThis as Record<symbol, unknown>)[Symbol.for('multiproc.ipc.flush')] = Object.assign(flushAll, {
  idle,
  endsNormally,
});
