// The first-use code and core's hub as CommonJS functions, for `scripts/bundle.mjs` (see
// FIRST_USE_FACTORY_EXT and HUB_FACTORY below, and scripts/first-use.mjs for the first-use code).
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

/** Placeholder path of the lazy file; bundle.mjs rewrites it relative to each output file. */
export const FIRST_USE_OUT = 'lazy/first-use';

/**
 * The extension of the first-use code as a CommonJS function (`multiprocBuild.firstUseFactory`):
 * `dist/lazy/first-use.cjs` exports `(require, module, meta) => exports` (`meta`: the ES module's
 * `import.meta`), and the index passes it its own exports and those of the packages and the hub
 * for the imports that file may have besides `node:` modules (FACTORY_IMPORTS). The function runs
 * once per realm and gives later calls what it made. Node runs it, not the stub, and so links no ES module on first use: a
 * `require()` of an ES module links the modules it loads, and a thread stopped
 * (`worker.terminate()`) while they link aborts the whole process on Node 20 and 22 (FATAL ERROR:
 * v8::Module::IsGraphAsync must be used on an instantiated module; Node 24 ends the thread only),
 * and an `import()` of one of them still under way makes that `require()` throw (not yet fully
 * loaded: `Cannot read properties of undefined (reading 'getStatus')` on Node 20). Only a file
 * whose imports are all ones the index holds can be run so, and the hub (`chunks/hub.js`) when
 * `multiprocBuild.hubFactory` says it is one too (HUB_FACTORY below).
 */
export const FIRST_USE_FACTORY_EXT = '.cjs';

/**
 * What a factory's static imports may be: the index, the hubs (factories too; the pool hub imports
 * the hub as './hub.js'), the first-use file (which a group loaded apart imports: ipc's
 * `first-use-net`), @multiproc/shared, @multiproc/ipc and Node's own modules. A `require()` (zod) and a relative `import()` (its own
 * lazy files, `./…` or the hub's `../lazy/…`, loaded asynchronously) pass too.
 */
export const FACTORY_IMPORTS =
  /^(?:\.\/first-use\.js|\.\.\/index\.js|\.\.\/chunks\/(?:hub|pool)\.js|\.\/hub\.js|@multiproc\/(?:shared|ipc)|node:[\w/]+)$/;

/**
 * `multiprocBuild.hubFactory` (core): the hub, which the first-use file shares with the other entries
 * (`internal`, `bundle`, the pool's lazy tinypool adapter), is written as a CommonJS function too,
 * `dist/chunks/hub.cjs`, that runs once per realm (it keeps what it made, and the CommonJS cache
 * keeps it), and `dist/chunks/hub.js` becomes a thin ES module that runs it with its own imports and
 * re-exports what it made. The first-use function gets the same object from the index: one
 * instance of every module of the hub per realm, whichever loads first, and a first use links no
 * ES module.
 */
export const HUB_FACTORY = 'chunks/hub';

/**
 * With `multiprocBuild.firstUseFromHub` (core): the second hub, what the files share that the hub
 * does not hold (the pool's host code). A CommonJS function too, which imports the hub.
 */
export const POOL_HUB_FACTORY = 'chunks/pool';

/**
 * Writes `dist/<out>.cjs` (FIRST_USE_FACTORY_EXT above) from the built `dist/<out>.js`, its source
 * map chained to the sources; fails the build when that file imports anything the index cannot
 * hand it. The function runs once: it keeps what it made and gives that to every later call.
 * `options`: bundle.mjs's esbuild options. Returns the file's imports and the names it exports.
 */
export async function writeFactory(options, out = FIRST_USE_OUT) {
  // The package build's options, as a transform of one file (its imports become require calls).
  const { bundle, packages, ...transform } = options;
  // What the ES module imports (each kind as written) and exports.
  const scan = await build({
    entryPoints: [`dist/${out}.js`],
    format: 'esm',
    write: false,
    metafile: true,
    outfile: 'scan.js',
    logLevel: 'silent',
  });
  const { imports, exports } = Object.values(scan.metafile.outputs)[0];
  await build({
    ...transform,
    entryPoints: [`dist/${out}.js`],
    outfile: `dist/${out}${FIRST_USE_FACTORY_EXT}`,
    format: 'cjs',
    // Its import.meta is the ES module's it stands for (`{ url, filename, dirname, resolve }`).
    define: { 'import.meta': '__firstUseMeta' },
    // Strict, as the ES module it was. In parentheses: V8 compiles the function as it compiles the
    // file (it guesses it runs at once), where a bare one is pre-parsed, then parsed again when
    // called (the hub's import cost 4 ms of CPU more so).
    banner: {
      js: '"use strict";let made;module.exports=(function(require,module,__firstUseMeta){if(made)return made;',
    },
    footer: { js: 'return made=module.exports});' },
  });
  // A relative import() is the package's own lazy file (the first-use file's beside it, the hub's
  // under ../lazy/: syntax-site.js, on a failed import only), loaded asynchronously as an ES module.
  const passes = (i) =>
    i.kind === 'require-call' ||
    (i.kind === 'dynamic-import' && /^(?:\.\/|\.\.\/lazy\/)/.test(i.path)) ||
    FACTORY_IMPORTS.test(i.path);
  const refused = imports.filter((i) => !passes(i));
  if (refused.length > 0) {
    const names = refused.map((i) => `${i.path} (${i.kind})`).join(', ');
    throw new Error(`multiprocBuild.firstUseFactory: dist/${out}.js imports ${names}`);
  }
  return { imports, exports };
}

/**
 * HUB_FACTORY above: writes `dist/chunks/hub.cjs` from the built hub, then replaces `dist/chunks/hub.js`
 * with the ES module that runs it once per realm and re-exports the names the hub exported.
 */
export async function writeHubFactory(options, out = HUB_FACTORY) {
  const { imports, exports: exported } = await writeFactory(options, out);
  const statics = [
    ...new Set(imports.filter((i) => i.kind === 'import-statement').map((i) => i.path)),
  ].filter((path) => !path.startsWith('node:'));
  // What a bundle of the user's app must see as require('x') to bundle it (zod): the hub's own
  // require() of it resolves from the app's node_modules first, and comes here when there is none.
  const bare = [
    ...new Set(
      imports.filter((i) => i.kind === 'require-call' && !i.path.startsWith('.')).map((i) => i.path),
    ),
  ];
  const names = [];
  for (const name of [...exported].sort()) {
    const line = names.at(-1);
    if (line !== undefined && line.length + name.length < 110) names[names.length - 1] = `${line}, ${name}`;
    else names.push(name);
  }
  // The files the hub's code resolves from its import.meta (the worker entries), named again here: a
  // file tracer (@vercel/nft) follows import.meta.resolve() of a literal in an ES module only.
  const text = readFileSync(`dist/${out}${FIRST_USE_FACTORY_EXT}`, 'utf8').replace(/\\\n/g, '');
  const resolved = [...new Set([...text.matchAll(/__firstUseMeta\.resolve\(("[^"]+")\)/g)].map((m) => m[1]))];
  const file = `dist/${out}.js`;
  const cjs = `./${out.split('/').at(-1)}${FIRST_USE_FACTORY_EXT}`;
  writeFileSync(
    file,
    `// The hub's code runs once per realm as a CommonJS function (${cjs}): a first use of the package
// runs it from the index with the same imports, so a thread stopped meanwhile links no ES module.
// See scripts/first-use-factory.mjs in the repository.
${statics.map((path, i) => `import * as i${i} from ${JSON.stringify(path)};`).join('\n')}
const imports = { ${statics.map((path, i) => `${JSON.stringify(path)}: i${i}`).join(', ')} };
// A bundle of the user's app sees (and bundles) these; plain ESM has no require.
const bare = { ${bare.map((id) => `${JSON.stringify(id)}: () => require(${JSON.stringify(id)})`).join(', ')} };
function factory() {
  try {
    // A CommonJS bundle of the app has no import.meta.url: the require() below is what it bundled.
    const file =
      typeof import.meta.resolve === 'function' ? new URL(import.meta.resolve(${JSON.stringify(cjs)})) : new URL(${JSON.stringify(cjs)}, import.meta.url);
    const { fileURLToPath } = process.getBuiltinModule('node:url');
    return process.getBuiltinModule('node:module').createRequire(import.meta.url)(fileURLToPath(file));
  } catch (error) {
    try {
      return require(${JSON.stringify(cjs)});
    } catch {
      throw error;
    }
  }
}
// For a file tracer only (see scripts/first-use-factory.mjs); never called.
const traced = () => [${resolved.map((r) => `import.meta.resolve(${r})`).join(', ')}];
const made = factory()(
  (id) => {
    if (Object.hasOwn(imports, id)) return imports[id];
    if (String(id).startsWith('node:')) return process.getBuiltinModule(id);
    if (Object.hasOwn(bare, id)) return bare[id]();
    throw Object.assign(new Error("Cannot find module '" + id + "'"), { code: 'MODULE_NOT_FOUND' });
  },
  { exports: {} },
  import.meta,
);
export const {
${names.map((line) => `  ${line},`).join('\n')}
} = made;
`,
  );
  rmSync(`${file}.map`, { force: true });
}
