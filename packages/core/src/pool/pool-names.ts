/**
 * The names a `Pool` answers with advice instead of `undefined`: Python's spellings of its
 * methods, piscina's, tinypool's and workerpool's members ({@link poolMembers}), and
 * `Symbol.dispose` (a `using` that wanted `await using`). Core's `Pool` and the BullMQ `Pool`
 * both carry them, so a user meets the same advice on either.
 */
import { definePythonNames } from '@multiproc/shared';
import { poolMembers } from './node-pool-names.js';

/**
 * Marks the pool names on `prototype` (see `definePythonNames()` in shared): reading one throws
 * `ValidationError` with advice; a dependency probing one reads `undefined`.
 * @param prototype a pool class's prototype.
 * @param advice messages of its own for some of {@link poolMembers}, or for more names, where
 *   the local pool's advice does not fit (a pool whose workers run elsewhere).
 * Internal (`@multiproc/core/internal`): core's `Pool` calls `definePoolNames(Pool.prototype)` once.
 */
export function definePoolNames(
  prototype: object,
  advice: Readonly<Record<string, { readonly message: string }>> = {},
): void {
  definePythonNames(prototype, {
    apply_async: 'applyAsync()',
    map_async: 'mapAsync()',
    starmap_async: 'starmapAsync()',
    imap_unordered: 'imapUnordered()',
  });
  definePythonNames(prototype, { ...poolMembers(), ...advice });
  // `using pool = new Pool()` (Python's `with`, the `await` forgotten) would meet Node's "TypeError:
  // Symbol(Symbol.dispose) is not a function"; `await using` reads Symbol.asyncDispose and never this.
  definePythonNames(prototype, {
    [Symbol.dispose]: {
      message:
        "A Pool is disposed of with `await using pool = new Pool(...)` (Python's `with Pool() as pool:`), " +
        'not `using`: its terminate() is asynchronous, and a `using` block cannot wait for it. Where ' +
        'nothing can await, call pool.terminate() yourself.',
    },
  });
}
