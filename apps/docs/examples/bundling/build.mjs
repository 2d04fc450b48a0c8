// build.mjs: bundle app.mjs with esbuild, keeping multiproc external; run with `node build.mjs`
import { execFileSync } from 'node:child_process';
import { build } from 'esbuild';

await build({
  entryPoints: ['app.mjs'],
  outfile: 'dist/app.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  // multiproc starts workers from its own files (and loads zod and tinypool at run time):
  // leave it in node_modules, next to the bundle, instead of inlining it.
  external: ['@multiproc/*'],
});

// The bundle runs its tasks: each worker imports dist/app.mjs, the file that defined them.
process.stdout.write(execFileSync(process.execPath, ['dist/app.mjs'], { encoding: 'utf8' }));

// Output:
// [ 1, 4, 9 ]
