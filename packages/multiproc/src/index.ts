/**
 * `@multiproc/multiproc`: Python's `multiprocessing` for TypeScript on Node.js. Re-exports everything public
 * from `@multiproc/core`, `@multiproc/ipc` and `@multiproc/shared`, by name and as a default
 * namespace, so `import mp from '@multiproc/multiproc'` reads like `import multiprocessing as mp`.
 *
 * @example
 * import mp from '@multiproc/multiproc';
 * const pool = new mp.Pool({ processes: mp.cpuCount() });
 */
import * as mp from './all.js';

export * from './all.js';

/**
 * The whole API as one namespace object (the module namespace of the re-exports, so every named
 * export is on it and each is the identical object). Python: `import multiprocessing as mp`.
 * @example
 * import mp from '@multiproc/multiproc';
 * const p = new mp.Process({ target: tasks.greet, args: ['bob'] });
 */
export default mp;
