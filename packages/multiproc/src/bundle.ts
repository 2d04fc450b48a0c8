/**
 * `@multiproc/multiproc/bundle`: build-time help for bundled apps, re-exported from
 * `@multiproc/core/bundle`. See the bundling guide.
 */
export { workerEntryPoints } from '@multiproc/core/bundle';
