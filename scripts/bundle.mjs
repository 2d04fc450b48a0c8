#!/usr/bin/env node
// Second half of every published package's `build` (after `tsc --emitDeclarationOnly`): esbuild
// bundles the package's own code into one file per `exports` entry, with the code two entries
// share in `dist/chunks/`, so each module-level object exists once per realm. A worker used to
// load about 70 ES modules before its first task and the umbrella import took 41-47 ms; one file
// per package loads in a fraction of that (issue #18). Every bare import stays external (the other
// @multiproc packages, zod, tinypool, tsx): each package is still installed and deduplicated by
// the package manager, and `@multiproc/multiproc` re-exports the very same objects.
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));

/** `{ in: 'src/x.ts', out: 'x' }` for each export with a source condition, from its default file. */
function entryPoints() {
  return Object.values(pkg.exports)
    .filter((target) => typeof target === 'object' && target['@multiproc/source'])
    .map((target) => ({
      in: target['@multiproc/source'],
      out: target.default.replace(/^\.\/dist\//, '').replace(/\.js$/, ''),
    }));
}

/** The JavaScript files of an earlier build: tsc used to emit one per source file. */
function removeOldJs(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) removeOldJs(path);
    else if (/\.js(\.map)?$/.test(entry.name)) rmSync(path);
  }
}

removeOldJs('dist');
const result = await build({
  entryPoints: entryPoints(),
  outdir: 'dist',
  bundle: true,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});

// esbuild turns `require('zod')` into `__require("zod")`. A bundle of the user's app must still see
// a plain `require('zod')` (that is how it bundles zod), and plain ESM throws at it as before.
for (const file of Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js'))) {
  const text = readFileSync(file, 'utf8');
  const fixed = text.replace(/\b__require\(("[^"]+")\)/g, 'require($1)');
  if (fixed !== text) writeFileSync(file, fixed);
}
