/**
 * Python's spellings of Pool and AsyncResult members, and the members of piscina's, tinypool's and
 * workerpool's pools: reading one throws a `ValidationError` naming the multiproc spelling (see
 * `definePythonNames()` in shared). Process's are in `process-names.ts`.
 */
import { Pool } from './pool/pool.js';
import { definePoolNames } from './pool/pool-names.js';

definePoolNames(Pool.prototype);
