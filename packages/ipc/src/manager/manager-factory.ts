/** Manager(): Python's `multiprocessing.Manager()`, a {@link SyncManager} already serving. */
import { ValidationError } from '@multiproc/shared';
import type { ManagerOptions } from './base-manager.js';
import { SyncManager } from './manager.js';
import { managerOptions } from './register-options.js';

/**
 * The callable `Manager`: called (or used with `new`), a manager already serving; `start()` for
 * one that waits to listen. Its `prototype` is {@link SyncManager}'s, so `m instanceof Manager` holds.
 */
export interface ManagerFactory {
  (options?: ManagerOptions | null): SyncManager;
  new (options?: ManagerOptions | null): SyncManager;
  /** {@link SyncManager.start}: resolves once it listens (any address, a TCP port too). */
  start(options?: ManagerOptions | null): Promise<SyncManager>;
  /** {@link SyncManager}'s prototype: `Manager()`'s results are `instanceof Manager`. */
  readonly prototype: SyncManager;
}

/**
 * A started {@link SyncManager}, usable at once, serving from this program on a private Unix socket
 * (or the Unix socket path given as `address`). Python: `multiprocessing.Manager()`, also
 * `ctx.Manager()` of every context; `new Manager()` is the same. `await using` (Python: `with`)
 * shuts it down at the end of the block. For a TCP address, `await SyncManager.start({ address })`.
 * @param options - `address` (a Unix socket path) and `authkey`. @default a private socket, this program's `processAuthkey()`
 * @throws {ValidationError} for a `[host, port]` address (it binds asynchronously: use
 *   `SyncManager.start()`), a bad authkey, or an unknown option (`authKey`).
 * @throws {Error} Node's `EADDRINUSE` (`code`) when something is at the `address` path already.
 * @example
 * await using manager = Manager();
 * const d = manager.dict<number | string, string | number | null>();
 * const l = manager.list([0, 1, 2, 3]);
 * await d.set(1, '1');
 * await l.reverse();
 * console.log(await d.copy(), await l.copy()); // Map(1) { 1 => '1' } [ 3, 2, 1, 0 ]
 */
export const Manager: ManagerFactory = function Manager(options: ManagerOptions | null = {}): SyncManager {
  options = managerOptions(options, 'Manager()', arguments.length);
  if (options.address !== undefined && typeof options.address !== 'string') {
    throw new ValidationError(
      'Manager(): a [host, port] address is bound asynchronously; use `await SyncManager.start({ address })` for it, or give a Unix socket path.',
    );
  }
  return SyncManager.startNow(options);
} as unknown as ManagerFactory;
(Manager as { prototype: SyncManager }).prototype = SyncManager.prototype;
Manager.start = (...args: [options?: ManagerOptions | null]) => SyncManager.start(...args);

/** A started {@link SyncManager}: what {@link Manager}`()` returns. */
export type Manager = SyncManager;
