/**
 * Every public name of `@multiproc/core`, `@multiproc/ipc` and `@multiproc/shared` as ONE module
 * namespace, for the type of the umbrella's default export (`typeof names`). Types only: the
 * umbrella imports it with `import type`, so it is in no built JavaScript file.
 *
 * Why a module and not `typeof core & typeof ipc & typeof shared`: a name several packages export
 * (every error class: defined in shared, re-exported by ipc and core) is then a key of two or
 * three members of the intersection, and TypeScript 7 maps such a key of an intersection of
 * module namespaces to an optional property (`typeof TimeoutError | undefined`), so
 * `e instanceof mp.TimeoutError` fails there (TS2359) though TypeScript 5.9 and 6.0 accept it. Star
 * exports of one binding under one name are one member of this namespace in every version.
 * @module
 */
export * from '@multiproc/core';
export * from '@multiproc/ipc';
export * from '@multiproc/shared';
