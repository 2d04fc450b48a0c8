// The first statement of every package's first-use file (`dist/lazy/first-use.js`, see
// scripts/first-use.mjs). That file is meant to run only inside the index's load(), which counts
// under FIRST_USE_LOADING while it requires it. A bundler that turns that lazy require() into a
// static import (Rollup's @rollup/plugin-commonjs with `transformMixedEsModules`) runs the file
// before the index's own code instead, where every constant of the index is still undefined and the
// first-use code would fail on one of them ("Cannot read properties of undefined"). Say why instead.
// No import: the file also becomes a CommonJS function whose imports are fixed (first-use-factory.mjs),
// and the index's error classes do not exist yet when this fails.
// The index counts on process too (scripts/first-use-runtime.mjs): in a vm context (vitest's vm
// pools) it runs in the context and this file in the main realm, whose globalThis differs.
const FIRST_USE_LOADING = Symbol.for('multiproc.firstUse.loading');
if (
  !(globalThis[FIRST_USE_LOADING] > 0) &&
  !(typeof process === 'object' && process?.[FIRST_USE_LOADING] > 0)
) {
  const error = new Error(
    "multiproc cannot run in this bundle: the bundler turned the package index's lazy require() of " +
      'its first-use code (dist/lazy/first-use.js) into an import, which runs that code before the ' +
      "index it needs (Rollup's @rollup/plugin-commonjs does so with transformMixedEsModules). " +
      'Bundle with Vite, esbuild or webpack as the bundling guide shows, or keep multiproc out of the ' +
      'bundle (Rollup: external: [/^@multiproc\\//]) and install it beside the app. ' +
      'See https://github.com/multiproc/multiproc/blob/main/apps/docs/guide/bundling.md',
  );
  error.code = 'MP_BUNDLE_ORDER';
  throw error;
}
