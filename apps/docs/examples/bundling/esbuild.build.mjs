// node esbuild.build.mjs: bundles src/app.ts into dist/, with the worker entries beside it.
import { writeFileSync } from 'node:fs';
import { workerEntryPoints } from '@multiproc/multiproc/bundle';
import { build } from 'esbuild';

await build({
  entryPoints: { app: 'src/app.ts', ...workerEntryPoints() },
  bundle: true,
  platform: 'node',
  target: 'node20.19',
  format: 'esm',
  splitting: true, // one copy of multiproc shared by the app and its workers
  outdir: 'dist',
  logLevel: 'warning',
});
// The outputs are ES modules named .js (tinypool asks for entry/worker.js by that name).
writeFileSync('dist/package.json', '{ "type": "module" }\n');
