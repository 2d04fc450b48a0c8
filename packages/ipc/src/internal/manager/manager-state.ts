/** A `BaseManager`'s states, and the error a method called in the wrong one throws. */
import { ClosedError } from '@multiproc/shared';

/** Made, serving from this program, connected to another's, or shut down. */
export type ManagerState = 'initial' | 'serving' | 'connected' | 'shutdown';

/** @throws {ClosedError} unless `state` is `want`, naming `method` and the state it found. */
export function checkManagerState(state: ManagerState, want: ManagerState, method: string): void {
  if (state === want) return;
  const found = state === 'initial' ? 'not started' : state;
  const hint = state === 'serving' && method === 'start()' ? ': Manager() returns it started' : '';
  throw new ClosedError(`${method}: the manager is ${found}${hint}.`);
}
