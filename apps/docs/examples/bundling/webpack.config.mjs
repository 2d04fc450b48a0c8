// npx tsc -p tsconfig.json && npx webpack: bundles build/app.js (compiled from src/) into dist/.
// The outputs are ES modules named .js: unless package.json says "type": "module", also write
// { "type": "module" } to dist/package.json.
import { resolve } from 'node:path';
import { workerEntryPoints } from '@multiproc/multiproc/bundle';

export default {
  mode: 'production',
  target: 'node20.19',
  entry: { app: './build/app.js', ...workerEntryPoints() },
  experiments: { outputModule: true },
  output: {
    path: resolve('dist'),
    filename: '[name].js',
    module: true,
    chunkFormat: 'module',
    library: { type: 'module' }, // the pool worker entry's default export must stay an export
  },
  module: {
    // Keep import.meta.url a run-time value: defineTasks() and tinypool need the bundle's own URL.
    parser: { javascript: { importMeta: false } },
    rules: [
      // multiproc loads zod with require() on first use; parse its files as mixed ESM/CommonJS.
      { test: /[\\/]@multiproc[\\/]/, type: 'javascript/auto' },
      // tinypool imports the worker entry by a path known only at run time: leave that to Node.
      { test: /[\\/]tinypool[\\/]/, parser: { import: false } },
    ],
  },
  optimization: { splitChunks: { chunks: 'all' } },
};
