/**
 * `@multiproc/multiproc`: Python's `multiprocessing` for TypeScript on Node.js. Re-exports everything public
 * from `@multiproc/core`, `@multiproc/ipc` and `@multiproc/shared`, by name and as a default
 * namespace object, so `import mp from '@multiproc/multiproc'` reads like `import multiprocessing as mp`.
 *
 * A name exported by more than one package (the error classes live in `@multiproc/shared` and are
 * re-exported by the others) is the same binding in each, so the star exports do not conflict; a
 * clash between two different objects would be a type error here and a test failure.
 *
 * @example
 * import mp from '@multiproc/multiproc';
 * const pool = new mp.Pool({ processes: mp.cpuCount() });
 * @module @multiproc/multiproc
 */

import * as core from '@multiproc/core';
import {
  type CallableMembers,
  callableMembers,
  PYTHON_MODULE_NAMES,
} from '@multiproc/core/internal/callable';
import * as ipc from '@multiproc/ipc';
import * as shared from '@multiproc/shared';
import type * as names from './names.js';

export * from '@multiproc/core';
export * from '@multiproc/ipc';
export * from '@multiproc/shared';

/**
 * Every public name of the three packages (what the star exports above export, read from one
 * namespace that star-exports them: see `names.ts` for why not an intersection of the three), and
 * Python's `Array` (the `SharedArray` factory, as on a context object): on the default namespace
 * only, since a named export `Array` would shadow JavaScript's own in `import * as` and `export *`
 * code.
 */
type All = typeof names & { Array: typeof shared.SharedArray };

/** The three namespaces as one object, its names in the order of a module namespace (sorted). */
function allNames(): All {
  const all: Record<string, unknown> = { ...shared, ...ipc, ...core, Array: shared.SharedArray };
  return Object.fromEntries(
    Object.keys(all)
      .sort()
      .map((name) => [name, all[name]]),
  ) as All;
}

/**
 * The whole API as one namespace object: every named export, under the same name, and Python's
 * `mp.Array('i', 5)` (the `SharedArray` factory, the same function as `getContext('thread').Array`).
 * A Python user writes `mp.Lock()` and `mp.Queue()`, so every class and factory on it can be
 * called with or without `new` (as on a `getContext()` object), and gives the same object either
 * way; functions and constants are the named exports themselves. The named exports stay the
 * classes: import `Lock` to extend it; `mp.Lock() instanceof Lock` is true. A member shares its
 * class's prototype, which names the member as its `constructor`: `mp.Lock().constructor ===
 * mp.Lock`. Python's spellings of the module's functions (`mp.cpu_count()`,
 * `mp.set_start_method()`) throw `ValidationError` naming the member to write (`cpuCount()`);
 * they are hidden from `Object.keys(mp)` and printing.
 * Python: `import multiprocessing as mp`.
 * @example
 * import mp from '@multiproc/multiproc';
 * const lock = mp.Lock(); // or new mp.Lock()
 * const counts = mp.Array('i', 4); // Python's multiprocessing.Array: a SharedArray
 * const p = new mp.Process({ target: tasks.greet, args: ['bob'] });
 */
const mp: CallableMembers<All> = callableMembers(allNames());
shared.definePythonNames(mp, PYTHON_MODULE_NAMES);
Object.freeze(mp);
export default mp;
