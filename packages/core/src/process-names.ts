/**
 * Python's spellings of Process members (`is_alive()`, `exitcode`), and `using`/`await using` on a
 * Process: reading one throws a `ValidationError` naming what to write (see `definePythonNames()`
 * in shared). Apart from the Pool's names (`python-names.ts`), which load with the Pool's code on
 * its first use: a program that used only Process met "TypeError: p.is_alive is not a function".
 */
import { definePythonNames } from '@multiproc/shared';
import { Process } from './process.js';

definePythonNames(Process.prototype, { is_alive: 'isAlive()', exitcode: 'exitCode' });

// `await using p = new Process(...)`, as a Pool allows, met Node's "TypeError: Symbol(Symbol.dispose)
// is not a function" at the declaration; Python's Process is no context manager either.
const noUsing = {
  message:
    "A Process has no `using` or `await using` form (Python's Process is no context manager either): " +
    'p.start(), then await p.join(); to stop it early, await p.terminate(). `await using` is for a Pool.',
};
definePythonNames(Process.prototype, { [Symbol.asyncDispose]: noUsing, [Symbol.dispose]: noUsing });
