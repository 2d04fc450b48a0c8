/**
 * `@multiproc/multiproc`: Python's `multiprocessing` for TypeScript on Node.js. Re-exports everything public
 * from `@multiproc/core`, `@multiproc/ipc` and `@multiproc/shared`, by name and as a default
 * namespace object, so `import mp from '@multiproc/multiproc'` reads like `import multiprocessing as mp`.
 *
 * @example
 * import mp from '@multiproc/multiproc';
 * const pool = new mp.Pool({ processes: mp.cpuCount() });
 * @module @multiproc/multiproc
 */
import { type CallableMembers, callableMembers } from '@multiproc/core/internal';
import * as all from './all.js';

export * from './all.js';

/**
 * The whole API as one namespace object: every named export, under the same name. A Python user
 * writes `mp.Lock()` and `mp.Queue()`, so every class and factory on it can be called with or
 * without `new` (as on a `getContext()` object), and gives the same object either way; functions
 * and constants are the named exports themselves. The named exports stay the classes: import
 * `Lock` to extend it; `mp.Lock() instanceof Lock` is true. Python: `import multiprocessing as mp`.
 * @example
 * import mp from '@multiproc/multiproc';
 * const lock = mp.Lock(); // or new mp.Lock()
 * const p = new mp.Process({ target: tasks.greet, args: ['bob'] });
 */
const mp: CallableMembers<typeof all> = Object.freeze(callableMembers(all));
export default mp;
