/**
 * The runtime of the packages' first-use facades (issue #18: an import compiles the code behind
 * `Lock`, `Queue`, `Pool` and their kin only when one is first used). The build of this package puts
 * the real runtime in place of this module (`scripts/first-use-runtime.mjs` in the repository,
 * `runtimeCoreSource`), and each package's built index calls it with what only that index can name:
 * its `import.meta`, the `require()` of its first-use file that a bundler of the app sees. One copy
 * here, not one in each index: every realm that imports the umbrella (the program, each worker)
 * compiled three. The sources load nothing on first use and never call it.
 */
import { ContextError } from '../errors.js';

/**
 * A facade of a first-use export: `(name, kind, how?)` → the Proxy standing for it (`how`: true for
 * a module the hub holds, a group's index for one loaded apart).
 */
export type LazyExport = (
  name: string,
  kind: 'arrow' | 'async' | 'function',
  how?: boolean | number,
) => unknown;

/**
 * The facades' runtime for one package's index (`spec`: that index's own parts), giving its
 * `lazyExport`. Only the build's runtime runs; this stand-in throws `ContextError`.
 * @internal
 * @throws {ContextError} always: on the sources nothing is loaded on first use.
 * @example
 * // Written by the build in each package's dist/index.js:
 * // export const lazyExport = firstUseRuntime({ url: import.meta.url, ... });
 */
export function firstUseRuntime(_spec: object): LazyExport {
  throw new ContextError(
    "multiproc's first-use runtime exists only in the built package (dist/index.js): build it, or import the sources.",
  );
}
