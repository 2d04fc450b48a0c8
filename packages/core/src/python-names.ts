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
definePythonNames(Process.prototype, { is_alive: 'isAlive()', exitcode: 'exitCode' });
