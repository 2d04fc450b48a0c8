/** `BaseManager.connect()`'s first request: whether a manager serves at the address, with the key. */
import { ClosedError, ValidationError } from '@multiproc/shared';
import { processAuthkey } from '../../authkey.js';
import { ManagerClosedError } from '../../errors.js';
import type { Address } from '../net/endpoint.js';
import { keyBytes } from '../net/handshake.js';
import { clientFor, hasClient } from './client-registry.js';

/**
 * Asks the manager at `address` for its typeids, over this thread's connection, with `key` (this
 * program's own, `processAuthkey()`, by default); resolves to the key (hex) its proxies carry.
 * A connection this thread made before may be to a manager that has ended since (one started again
 * at the address is another), its close not read yet: asked, it fails; then it asks anew.
 * @throws {ValidationError} without an `address`.
 * @throws {ClosedError} when `shutDown()` says the manager was shut down meanwhile (it stays so).
 */
export async function reachManager(
  address: Address | undefined,
  key: string | Uint8Array | undefined,
  shutDown: () => boolean,
): Promise<string> {
  if (!address) throw new ValidationError('connect() needs the { address } the serving manager was given.');
  const authkey = (keyBytes(key) ?? Buffer.from(processAuthkey())).toString('hex');
  const reused = hasClient(address, authkey);
  try {
    await clientFor(address, authkey).request(0, 'typeids', []);
  } catch (err) {
    if (!reused || !(err instanceof ManagerClosedError)) throw err;
    await clientFor(address, authkey).request(0, 'typeids', []);
  }
  // shutdown() called meanwhile wins: the manager stays shut down (its factories keep throwing).
  if (shutDown()) throw new ClosedError('connect(): the manager was shut down before it connected.');
  return authkey;
}
