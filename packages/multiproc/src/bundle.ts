/**
 * `@multiproc/multiproc/bundle`: build-time help for bundled apps, re-exported from
 * `@multiproc/core/bundle`. See the bundling guide.
 * @example
 * import { workerEntryPoints } from '@multiproc/multiproc/bundle';
 * const entryPoints = { app: 'src/app.ts', ...workerEntryPoints() };
 * @module @multiproc/multiproc/bundle
 */
export { workerEntryPoints } from '@multiproc/core/bundle';
