/** `BaseManager.connect()`'s first request: whether a manager serves at the address, with the key. */
import { ManagerClosedError } from '../../errors.js';
import type { Address } from '../net/endpoint.js';
import { clientFor, hasClient } from './client-registry.js';

/**
 * Asks the manager at `address` (key `authkey`, hex) for its typeids, over this thread's connection.
 * A connection this thread made before may be to a manager that has ended since (one started again
 * at the address is another), its close not read yet: asked, it fails; then it asks anew.
 */
export async function reachManager(address: Address, authkey: string): Promise<void> {
  const reused = hasClient(address, authkey);
  try {
    await clientFor(address, authkey).request(0, 'typeids', []);
  } catch (err) {
    if (!reused || !(err instanceof ManagerClosedError)) throw err;
    await clientFor(address, authkey).request(0, 'typeids', []);
  }
}
