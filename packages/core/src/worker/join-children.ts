/**
 * Worker side of a pool worker's orderly end (its closed pool's `join()`, a retirement after
 * `maxTasksPerChild`, an idle timeout): the non-daemon `Process`es its tasks started are joined
 * before it exits, as a Node program waits for them and as a `Process` target's end does. Without
 * this, ending the worker would end them with it (a thread's nested threads die with it; a child's
 * children see their parent gone). The batch reply says when there are any
 * (`BatchReply.children`), and a thread asked to exit says so again then (`SlotJoining`: a map
 * chunk on its side lane sends no batch reply), so the host waits for the worker's exit without
 * its usual bound.
 * `terminate()` still ends them at once.
 */

import { terminateOpenPools } from '../pool/open-pools.js';

const CHILDREN_KEY = Symbol.for('multiproc.nonDaemonChildren');

type Joinable = { join(): Promise<void> };

/** The non-daemon Processes started in this realm and still running (none if none was ever made). */
function nonDaemonChildren(): Joinable[] {
  const list = (globalThis as Record<symbol, unknown>)[CHILDREN_KEY] as (() => Joinable[]) | undefined;
  return list?.() ?? [];
}

/** Whether a task here left a non-daemon Process running. */
export function hasNonDaemonChildren(): boolean {
  return nonDaemonChildren().length > 0;
}

/**
 * Resolves once every non-daemon Process started here has ended, those started meanwhile too;
 * undefined when there is none (the caller then exits in the same turn, as before).
 */
export function joinNonDaemonChildren(): Promise<void> | undefined {
  const children = nonDaemonChildren();
  if (children.length === 0) return undefined;
  // A join that rejects (a child that never started) is that child's end all the same.
  return Promise.allSettled(children.map((child) => child.join())).then(() => joinNonDaemonChildren());
}

/**
 * Exits with `code` once the non-daemon Processes started here have ended and the pools its tasks
 * left open are terminated (`pool/open-pools.ts`); at once if there are none.
 */
export function exitAfterChildren(code: number): void {
  const pending = joinNonDaemonChildren();
  if (!pending) {
    const stopping = terminateOpenPools();
    if (!stopping) process.exit(code);
    void stopping?.then(() => process.exit(code));
    return;
  }
  void pending.then(() => terminateOpenPools()).then(() => process.exit(code));
}
