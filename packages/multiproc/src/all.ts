/**
 * Every public name of the three packages, in one module. `index.ts` re-exports it by name and as
 * the default namespace, so a name added to any package reaches both forms without an edit here.
 *
 * A name exported by more than one package (the error classes live in `@multiproc/shared` and are
 * re-exported by the others) is the same binding in each, so the star exports do not conflict; a
 * clash between two different objects would be a type error here and a test failure.
 */
export * from '@multiproc/core';
export * from '@multiproc/ipc';
export * from '@multiproc/shared';
