/**
 * Python's spellings of Pool, Process and AsyncResult members, and the members of piscina's,
 * tinypool's and workerpool's pools: reading one throws a `ValidationError` naming the multiproc
 * spelling (see `definePythonNames()` in shared).
 */
import { definePythonNames } from '@multiproc/shared';
import { POOL_MEMBERS } from './pool/node-pool-names.js';
import { Pool } from './pool/pool.js';
import { Process } from './process.js';

definePythonNames(Pool.prototype, {
  apply_async: 'applyAsync()',
  map_async: 'mapAsync()',
  starmap_async: 'starmapAsync()',
  imap_unordered: 'imapUnordered()',
});
definePythonNames(Pool.prototype, POOL_MEMBERS);
// `using pool = new Pool()` (Python's `with`, the `await` forgotten) would meet Node's "TypeError:
// Symbol(Symbol.dispose) is not a function"; `await using` reads Symbol.asyncDispose and never this.
definePythonNames(Pool.prototype, {
  [Symbol.dispose]: {
    message:
      "A Pool is disposed of with `await using pool = new Pool(...)` (Python's `with Pool() as pool:`), " +
      'not `using`: its terminate() is asynchronous, and a `using` block cannot wait for it. Where ' +
      'nothing can await, call pool.terminate() yourself.',
  },
});
definePythonNames(Process.prototype, { is_alive: 'isAlive()', exitcode: 'exitCode' });
