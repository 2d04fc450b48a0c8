/** A `BaseManager`'s states, and the error a method called in the wrong one throws. */
import { ClosedError } from '@multiproc/shared';
import { ManagerClosedError } from '../../errors.js';

/** Made, serving from this program, connected to another's, or shut down. */
export type ManagerState = 'initial' | 'serving' | 'connected' | 'shutdown';

/**
 * @throws {ManagerClosedError} when `state` is `'shutdown'` (and `want` is another): a manager
 *   that is gone says so as its proxies do (a `ClosedError`).
 * @throws {ClosedError} unless `state` is `want`, naming `method` and the state it found.
 */
export function checkManagerState(state: ManagerState, want: ManagerState, method: string): void {
  if (state === want) return;
  if (state === 'shutdown') throw new ManagerClosedError(`${method}: the manager is shut down.`);
  const found = state === 'initial' ? 'not started' : state;
  const hint = state === 'serving' && method === 'start()' ? ': Manager() returns it started' : '';
  throw new ClosedError(`${method}: the manager is ${found}${hint}.`);
}
