/**
 * Python's spellings of Pool, Process and AsyncResult members, and the members of piscina's,
 * tinypool's and workerpool's pools: reading one throws a `ValidationError` naming the multiproc
 * spelling (see `definePythonNames()` in shared).
 */
import { definePythonNames } from '@multiproc/shared';
import { Pool } from './pool/pool.js';
import { definePoolNames } from './pool/pool-names.js';
import { Process } from './process.js';

definePoolNames(Pool.prototype);
definePythonNames(Process.prototype, { is_alive: 'isAlive()', exitcode: 'exitCode' });
