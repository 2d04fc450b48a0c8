/**
 * The missing `isMain()` guard (Python: "An attempt has been made to start a new process before
 * the current process has finished its bootstrapping phase"). A worker imports its task's module,
 * so that module's top level runs again there; a `new Pool()` or `Process.start()` at that top
 * level would start workers that import the module again, without end (a fork bomb in the
 * 'process' context). Creating one while a worker is importing a task module therefore throws
 * `ContextError` at once. Pools and processes made inside a running task still work (nesting),
 * and a pool worker may start them only while it runs a task. Anything that slips past (a timer
 * at a module's top level that starts a pool, a task that recurses) is bounded by
 * {@link NESTING_LIMIT} levels of workers.
 */
import { ContextError } from '@multiproc/shared';
import { getWorkerIdentity, mainIsDaemon } from '../identity.js';
import { findUncalledGuard } from './guard-scan.js';

/**
 * How many levels of workers may be nested: the main program is 0, its workers 1, ... Python has
 * no limit; CPython's own tests nest five levels of Processes. This one only stops recursion that
 * would never end (a task that starts a pool that runs it again, a top-level timer that starts
 * workers in every worker) before it exhausts the machine.
 */
export const NESTING_LIMIT = 10;

interface Phase {
  /** Task modules being imported right now in this realm. */
  importing: string[];
  /** Pool tasks running right now (pool workers only; `undefined` elsewhere). */
  running: number | undefined;
  /** The guard's own errors, which the task loader passes through unwrapped. */
  refused: WeakSet<object>;
}

// On globalThis, so that a second copy of this module in one thread shares it: a second copy of
// the package, or the process worker entry, which carries its own copy (see scripts/bundle.mjs).
const PHASE_KEY = Symbol.for('multiproc.workerPhase');
const phase: Phase = ((globalThis as any)[PHASE_KEY] ??= { importing: [], running: undefined });
phase.refused ??= new WeakSet();

/** Runs `load` (the import of a task module) as the worker's bootstrapping phase. */
export async function whileImporting<T>(moduleUrl: string, load: () => Promise<T>): Promise<T> {
  phase.importing.push(moduleUrl);
  try {
    return await load();
  } finally {
    phase.importing.splice(phase.importing.indexOf(moduleUrl), 1);
  }
}

/** The task module this worker is importing right now, if any (the innermost). */
export function importingModule(): string | undefined {
  return phase.importing.at(-1);
}

/** Marks this realm as a pool worker, where pools and processes may start only inside a task. */
export function markPoolWorker(): void {
  phase.running ??= 0;
}

/** Counts a pool task as running while `run` is pending. */
export function taskStarted(): void {
  phase.running = (phase.running ?? 0) + 1;
}

/** The end of a task counted by {@link taskStarted}. */
export function taskEnded(): void {
  phase.running = Math.max(0, (phase.running ?? 1) - 1);
}

/** Whether `err` is the guard's own error (the task loader passes it through unwrapped). */
export function isBootstrapError(err: unknown): err is ContextError {
  return typeof err === 'object' && err !== null && phase.refused.has(err);
}

function refuse(message: string): never {
  const err = new ContextError(message);
  phase.refused.add(err);
  throw err;
}

const GUARD_HINT =
  'Guard the code that creates pools and processes with `if (isMain()) { ... }` ' +
  "(Python: `if __name__ == '__main__':`); a worker imports the module again, so its top level runs there too.";

/**
 * Throws `ContextError` when starting workers here would recurse: while this worker imports a
 * task module, in a pool worker outside a task, or past {@link NESTING_LIMIT} levels; and in a
 * daemon `Process`, which may not have children (Python: "daemonic processes are not allowed to
 * have children"). A pool worker is a daemon too, but its tasks may start workers (nesting).
 */
export function assertMayStartWorkers(what: 'a Pool' | 'a Process'): void {
  const me = getWorkerIdentity();
  if (!me) {
    if (mainIsDaemon()) {
      throw new ContextError(
        `Cannot create ${what}: this program made itself a daemon (currentProcess().daemon = true), and daemonic ` +
          'processes are not allowed to have children (Python: AssertionError). Set it back to false first.',
      );
    }
    return;
  }
  if (me.daemon && phase.running === undefined) {
    throw new ContextError(
      `Cannot create ${what} in ${me.name}: it is a daemon Process, and daemonic processes are not allowed to have children ` +
        '(a daemon is ended with its parent, which would orphan them). Start the parent with daemon: false, ' +
        'or run this work from a pool task.',
    );
  }
  assertNotBootstrapping(what);
  if ((me.depth ?? 1) >= NESTING_LIMIT) {
    refuse(
      `Cannot create ${what} ${NESTING_LIMIT} levels of workers deep (the limit): this looks like runaway recursion, ` +
        "a task or target that starts workers that run it again. If it comes from a module's top level (a timer, " +
        `a callback), guard it: ${GUARD_HINT}`,
    );
  }
}

/**
 * Throws `ContextError` while this worker imports a task module, and in a pool worker outside a
 * task: a pool made there would run again in every worker that imports the module (the missing
 * `isMain()` guard). For pools that start no local worker too (the BullMQ pool), whose jobs
 * would import the module again on other machines.
 */
export function assertNotBootstrapping(what: string): void {
  const importing = phase.importing.at(-1);
  if (importing !== undefined) {
    refuse(
      `Cannot create ${what} while this worker is importing ${importing}. ${GUARD_HINT}${uncalledGuard(importing)}`,
    );
  }
  if (phase.running === 0) {
    refuse(`Cannot create ${what} in a pool worker outside a running task. ${GUARD_HINT}`);
  }
}

/**
 * Advice for a module whose guard tests the function instead of calling it (guard-scan.ts): the
 * block then runs in every worker, and the message above would only say to add the guard the
 * module seems to have. Reads the module's source, on this failure path only; `''` when it has no
 * such guard or cannot be read.
 */
function uncalledGuard(moduleUrl: string): string {
  try {
    const found = findUncalledGuard(
      process.getBuiltinModule('node:fs').readFileSync(new URL(moduleUrl), 'utf8'),
    );
    if (found === undefined) return '';
    return (
      ` This module's line ${found.line} tests \`${found.text}\`, the function itself, which is always true: ` +
      `call it, \`${found.text.slice(0, -1).trimEnd()}()) { ... }\`.`
    );
  } catch {
    return '';
  }
}

/** The nesting depth of workers this realm starts. */
export function childDepth(): number {
  return (getWorkerIdentity()?.depth ?? 0) + 1;
}
