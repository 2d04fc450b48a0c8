/** A `BaseManager`'s states, and the error a method called in the wrong one throws. */
import { ProcessError } from '@multiproc/shared';
import { ManagerClosedError } from '../../errors.js';

/** Made, serving from this program, connected to another's, or shut down. */
export type ManagerState = 'initial' | 'serving' | 'connected' | 'shutdown';

/** What to do about a manager found `state` by `method`, which wants it `want`. */
function advice(state: ManagerState, want: ManagerState, method: string): string {
  if (state === 'initial') {
    // Python: `_create()` asserts 'server not yet started'; its own-server calls need start().
    return want === 'connected' || method.startsWith('Cannot create')
      ? 'call `await manager.start()` first (or `await manager.connect()` to use a manager another program serves)'
      : 'call `await manager.start()` first';
  }
  if (want === 'initial') {
    // Python's start() and get_server(): ProcessError('Already started server').
    if (state === 'serving')
      return method === 'start()'
        ? 'it is already started (Manager() returns it started): use it as it is'
        : 'it is already started: use it as it is';
    return 'it is connected to a manager another program serves: make a new manager to serve from this program';
  }
  return 'only the program that started the manager serves it: call serveForever() there';
}

/**
 * @throws {ManagerClosedError} when `state` is `'shutdown'` (and `want` is another): a manager
 *   that is gone says so as its proxies do (a `ClosedError`).
 * @throws {ProcessError} unless `state` is `want` (not a `ClosedError`: nothing was closed),
 *   naming `method`, the state it found and what to do (`start()` first, for a manager not started).
 */
export function checkManagerState(state: ManagerState, want: ManagerState, method: string): void {
  if (state === want) return;
  if (state === 'shutdown') throw new ManagerClosedError(`${method}: the manager is shut down.`);
  const found = state === 'initial' ? 'not started' : state;
  throw new ProcessError(`${method}: the manager is ${found}: ${advice(state, want, method)}.`);
}
