/**
 * Build-time help for bundled apps (`@multiproc/core/bundle`). A worker starts from a file of its
 * own, so a bundle must emit these files beside the app: multiproc's two worker entries, and the two
 * entries of tinypool (the pool behind `Pool`), which it looks for in `entry/` next to its own code.
 * See the bundling guide for esbuild, webpack and ncc.
 * @module @multiproc/core/bundle
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLED_ENTRY_NAMES } from './internal/worker-entries.js';

/**
 * The extra entry points of a bundled app: output name (without extension) to source file. Give them
 * to the bundler next to the app's own entry, with the same output folder and format, and `.js` as the
 * extension (tinypool asks for `entry/worker.js` by that name).
 * @returns `{ 'multiproc-pool-worker', 'multiproc-process-worker', 'entry/worker', 'entry/process' }`,
 * each an absolute path inside `node_modules`.
 * @example
 * import { build } from 'esbuild';
 * import { workerEntryPoints } from '@multiproc/multiproc/bundle';
 *
 * await build({
 *   entryPoints: { app: 'src/app.ts', ...workerEntryPoints() },
 *   bundle: true, platform: 'node', format: 'esm', splitting: true, outdir: 'dist',
 * });
 */
export function workerEntryPoints(): Record<string, string> {
  const here = dirname(fileURLToPath(import.meta.url));
  const tinypool = dirname(createRequire(import.meta.url).resolve('tinypool'));
  return {
    [BUNDLED_ENTRY_NAMES.pool]: join(here, 'worker', 'pool-entry.js'),
    [BUNDLED_ENTRY_NAMES.process]: join(here, 'worker', 'process-entry.js'),
    'entry/worker': join(tinypool, 'entry', 'worker.js'),
    'entry/process': join(tinypool, 'entry', 'process.js'),
  };
}
