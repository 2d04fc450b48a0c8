/**
 * Python's spellings of Pool, Process and AsyncResult members: reading one throws a
 * `ValidationError` naming the multiproc spelling (see `definePythonNames()` in shared).
 */
import { definePythonNames } from '@multiproc/shared';
import { Pool } from './pool/pool.js';
import { Process } from './process.js';

definePythonNames(Pool.prototype, {
  apply_async: 'applyAsync()',
  map_async: 'mapAsync()',
  starmap_async: 'starmapAsync()',
  imap_unordered: 'imapUnordered()',
});
definePythonNames(Process.prototype, { is_alive: 'isAlive()', exitcode: 'exitCode' });
