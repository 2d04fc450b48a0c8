#!/usr/bin/env node
// Second half of every published package's `build` (after `tsc --emitDeclarationOnly`): esbuild
// bundles the package's own code into as few files as it can. Every bare import stays external (the
// other @multiproc packages, zod, tinypool, tsx): each package is still installed and deduplicated
// by the package manager, and `@multiproc/multiproc` re-exports the very same objects.
//
// A package with one entry is one file. With more (core: the index, `internal`, `bundle` and the two
// worker entries) each module-level object must still exist once per realm, and a worker pays for
// every file it loads (resolving, reading and compiling each one: issue #18). So the main entry's
// code is built first, split only between `dist/index.js` and one hub, `dist/chunks/hub.js`, which
// re-exports every module the other entries share with it; each other entry is then one file that
// imports that hub. A worker loads its entry, the hub and the index, not a dozen chunks.
//
// A relative dynamic `import('./x.js')` marks code loaded on first use (issue #18: what an import
// of the package, or a worker, never needs). Each such module is built like another entry, into
// `dist/lazy/<its path>.js`, reaching what it shares with the index through the hub, so esbuild's
// splitting never scatters the index into more chunks than the one it shares with the hub.
//
// With `multiprocBuild.fromIndex` (core) the index is one file too, with no chunk: an import of the
// package loads one file of it, and a worker two (its entry and the index). The other files reach
// a module of the index in one of two ways, each module listed in `package.json`:
// - `fromIndex`: every value it exports is a public export of the index, so the other files import
//   those names from the index itself (one copy of each class: `instanceof` holds everywhere);
// - `copied`: it keeps no per-realm state, or keeps it on `globalThis` (the task registry, the
//   worker's identity), so the other files carry their own copy.
// Any other module of the index that another file imports fails the build. What the other files
// share with one another and not with the index (the pool's and the host's code, loaded on first
// use) goes to one hub, `dist/chunks/hub.js`, which they import.
//
// With `multiprocBuild.throughIndex` (core: `src/context.ts` → `src/pool/pool.ts`), a module's
// import of a first-use module becomes an import of the index, whose facade loads that code on
// first use: the file the importer is built into (core's hub) holds none of it.
//
// With `multiprocBuild.firstUseFromHub` (core: `src/process.ts`), the hub holds those modules and
// everything they reach that is not the index's, and what the other files share besides goes to a
// second hub, `dist/chunks/pool.js` (the pool's host code), which imports the first. A facade of
// such a module runs the hub alone on first use (scripts/first-use-runtime.mjs): a program's first
// `new Process()` compiles neither the first-use file nor the pool's hub (issue #18: its CPU in the
// parent went from ~55 to ~20 ms).
//
// An entry listed in `multiprocBuild.selfContained` (core: the worker entries, which every worker
// loads) does not load that hub: it carries its own copy of every module it uses that is not the
// index's. A module copied so must keep no state that has to exist once per realm (or keep it on
// `globalThis`, as `internal/bootstrap.ts` does).
//
// Exports that must stay synchronous (a class, a function) but that an import never needs are
// listed in `package.json` (`multiprocBuild.loadOnFirstUse`): the index gets a facade for each and
// their code goes to `dist/lazy/first-use.js`, which the first use loads with `require()` through
// a one-line stub, `dist/lazy/first-use.esm`, that no require hook claims (scripts/first-use.mjs).
// With `multiprocBuild.firstUseFactory` Node runs that code as a CommonJS function instead, and with
// `multiprocBuild.hubFactory` (core) the hub too: `dist/chunks/hub.js` becomes an ES module over
// `dist/chunks/hub.cjs`, so a first use links no ES module and the hub still exists once per realm.
//
// With `multiprocBuild.indexIsHub` (ipc) there is no hub and no chunk: the index is one file, and
// the other entries import what they share with it from the index itself, which must export every
// such name (checked below). An import of the package then loads one file, not two.
//
// With `multiprocBuild.loadApartOnFirstUse` (ipc, with indexIsHub: Listener, Client and the
// managers), each group listed is a first-use file of its own, `dist/lazy/first-use-<name>.js`
// (and its `.esm` stub and `.cjs` function, with the same guard), that the first use of one of its
// exports loads after the first-use file. It imports what it shares with the index from the index,
// and the package's modules it shares with the first-use file from that file, which re-exports
// them for it (each name checked below): one instance of each, and a first queue compiles none of
// the managers' code (issue #18).
//
// A bare import listed in `multiprocBuild.inline` (the umbrella: core's `internal/callable`, a
// module of one function that imports nothing and keeps its state on `globalThis`) is copied into
// the bundle instead of staying external: each file an import loads costs its resolution, reading
// and compiling, more than the code itself (issue #18), and that module exists only to be copied.
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, posix, relative, resolve, sep } from 'node:path';
import { parse } from 'acorn';
import { build } from 'esbuild';
import {
  FIRST_USE_OUT,
  FIRST_USE_STUB,
  FIRST_USE_STUB_EXT,
  firstUse,
  firstUseStub,
  HUB_FACTORY,
  POOL_HUB_FACTORY,
  writeFactory,
  writeHubFactory,
} from './first-use.mjs';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const HUB = 'chunks/hub';
/** With `multiprocBuild.firstUseFromHub`: what the other files share that the hub does not hold. */
const POOL_HUB = POOL_HUB_FACTORY;
/** Entries that carry their own copy of what they do not share with the index (see above). */
const selfContained = new Set((pkg.multiprocBuild?.selfContained ?? []).map((f) => resolve(f)));
const LAZY = '__multiproc_lazy__/';
/** Whether the other entries import the index's modules from the index (see above). */
const indexIsHub = pkg.multiprocBuild?.indexIsHub === true;
/** Modules of the index the other files import from it, and those they copy (see above). */
const fromIndex = pkg.multiprocBuild?.fromIndex
  ? new Set(pkg.multiprocBuild.fromIndex.map((f) => resolve(f)))
  : null;
const copied = new Set((pkg.multiprocBuild?.copied ?? []).map((f) => resolve(f)));
/** Bare specifiers bundled in rather than left external (see above). */
const inline = new Set(pkg.multiprocBuild?.inline ?? []);
const require = createRequire(resolve('package.json'));
const inlinePlugin = {
  name: 'inline',
  setup(b) {
    b.onResolve({ filter: /^[@a-z]/ }, (args) =>
      inline.has(args.path) ? { path: require.resolve(args.path) } : undefined,
    );
  },
};
/**
 * With `multiprocBuild.throughIndex` (core: `{ "src/context.ts": ["src/pool/pool.ts"] }`): a module
 * that imports a first-use module through the index's facade, not its code, so that the file it is
 * built into holds none of that code (core's hub holds the context objects, and the pool's code
 * loads only when a Pool is made). Each facade loads its code on first use.
 */
const throughIndex = new Map(
  Object.entries(pkg.multiprocBuild?.throughIndex ?? {}).map(([from, to]) => [
    resolve(from),
    new Set(to.map((f) => resolve(f))),
  ]),
);
const throughIndexPlugin = {
  name: 'through-index',
  setup(b) {
    b.onResolve({ filter: /^\./ }, (args) => {
      const targets = throughIndex.get(resolve(args.importer));
      if (targets === undefined || args.kind !== 'import-statement') return undefined;
      const path = resolve(args.resolveDir, args.path.replace(/\.js$/, '.ts'));
      if (!targets.has(path)) return undefined;
      return { path: `${THROUGH_INDEX}index.js`, external: true };
    });
  },
};
/** Placeholder of the index, rewritten to its path relative to each output file. */
const THROUGH_INDEX = '__multiproc_index__/';
/** A placeholder (`prefix` then `[^"]+`) in quotes, wherever esbuild's lineLimit broke it. */
const placeholderRe = (prefix) => new RegExp(`"${['', ...prefix].join('(?:\\\\\n)?')}([^"]+)"`, 'g');

/** Source path (absolute) → output name (`lazy/…`) of every module loaded by a relative `import()`. */
const lazyModules = new Map();

const common = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  // Whitespace and syntax only (names stay, so classes keep their `name`): a worker compiles every
  // byte it loads, and this cut the umbrella's cold import by ~1.4 ms of CPU (issue #18).
  minifyWhitespace: true,
  minifySyntax: true,
  // Node prints the source line of an uncaught error: keep lines short, or one error prints the
  // whole package on stderr.
  lineLimit: 120,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
};

/** `{ in: 'src/x.ts', out: 'x' }` for each export with a source condition, from its default file. */
function entryPoints() {
  return Object.values(pkg.exports)
    .filter((target) => typeof target === 'object' && target['@multiproc/source'])
    .map((target) => ({
      in: target['@multiproc/source'],
      // A package with a `node` export (`@multiproc/shared`) builds it here; its `default` is the
      // browser file (`multiprocBuild.browser`, below).
      out: (target.node ?? target.default).replace(/^\.\/dist\//, '').replace(/\.js$/, ''),
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

/** A relative `import()` stays an import of its own file (a placeholder path until the end). */
const lazyPlugin = {
  name: 'lazy',
  setup(b) {
    b.onResolve({ filter: /^\./ }, (args) => {
      if (args.kind !== 'dynamic-import') return undefined;
      const path = resolve(args.resolveDir, args.path.replace(/\.js$/, '.ts'));
      const out = `lazy/${relative('src', path).split('\\').join('/').replace(/\.ts$/, '')}`;
      lazyModules.set(path, out);
      return { path: `${LAZY}${out}.js`, external: true };
    });
  },
};

/** esbuild's options for one entry: a source path, or `{ stdin }` (the first-use file). */
const entryOptions = (entry) =>
  typeof entry === 'string' ? { entryPoints: [entry] } : { stdin: entry.stdin };

/** The absolute paths of the package's own source files an entry's bundle holds. */
async function sourcesOf(entry, plugins = []) {
  const { metafile } = await build({
    ...common,
    ...entryOptions(entry),
    write: false,
    outdir: 'dist',
    plugins: [inlinePlugin, lazyPlugin, throughIndexPlugin, ...plugins],
  });
  return new Set(
    Object.keys(metafile.inputs)
      .filter((f) => !f.includes('node_modules'))
      .map((f) => resolve(f)),
  );
}

/**
 * For a secondary entry: imports of a module the main bundle holds become imports of the hub (the
 * same names: the hub re-exports them all), so that module is not copied into the entry.
 */
function viaHub(shared, outFile, hubName = HUB) {
  const hub = `${posix.join(posix.relative(posix.dirname(outFile), hubName) || '.', '')}.js`;
  const spec = hub.startsWith('.') ? hub : `./${hub}`;
  return {
    name: 'via-hub',
    setup(b) {
      b.onResolve({ filter: /^\./ }, (args) => {
        const path = resolve(args.resolveDir, args.path.replace(/\.js$/, '.ts'));
        return shared.has(path) ? { path: spec, external: true } : undefined;
      });
    },
  };
}

/**
 * With `fromIndex`, for a file other than the index: an import of a module the index holds becomes
 * an import of the index (a `fromIndex` module) or a copy (a `copied` one); any other fails the build.
 */
function viaIndex(outFile) {
  const index = posix.relative(posix.dirname(outFile), `${main.out}.js`);
  const spec = index.startsWith('.') ? index : `./${index}`;
  return {
    name: 'via-index',
    setup(b) {
      b.onResolve({ filter: /^\./ }, (args) => {
        const path = resolve(args.resolveDir, args.path.replace(/\.js$/, '.ts'));
        if (!inMain.has(path) || copied.has(path)) return undefined;
        if (fromIndex.has(path)) return { path: spec, external: true };
        const name = relative('.', path);
        throw new Error(
          `${outFile} imports ${name}, a module of the index: list it in multiprocBuild.fromIndex or .copied`,
        );
      });
    },
  };
}

/** Whether `entry` is listed in `multiprocBuild.selfContained`. */
const isSelfContained = (entry) => typeof entry.in === 'string' && selfContained.has(resolve(entry.in));

const outputs = [];
removeOldJs('dist');
const [main, ...rest] = entryPoints();
// Modules the main entry re-exports but loads on first use (scripts/first-use.mjs).
const lazyRequired = firstUse(pkg, LAZY);
const mainPlugins = lazyRequired ? [lazyRequired.plugin(main.in)] : [];
const inMain = await sourcesOf(main.in, mainPlugins);
if (lazyRequired) {
  for (const file of lazyRequired.files) {
    if (inMain.has(file)) throw new Error(`${file} is loaded on first use but imported statically too`);
  }
  rest.push({ in: lazyRequired.entry, out: lazyRequired.entry.out });
  for (const group of lazyRequired.apart) rest.push({ in: group.entry, out: group.out, apart: true });
}
// Lazy modules found while reading the entries (and the lazy modules themselves) are entries too.
const sources = [];
for (const entry of rest) sources.push(await sourcesOf(entry.in));
const done = new Set();
for (let next = [...lazyModules]; next.length > 0; next = [...lazyModules].filter(([f]) => !done.has(f))) {
  for (const [file, out] of next) {
    // Imported statically as well, it would exist twice: once in the index, once in its own file.
    if (inMain.has(file)) throw new Error(`${file} is imported both statically and by import()`);
    done.add(file);
    rest.push({ in: file, out });
    sources.push(await sourcesOf(file));
  }
}
if (rest.length === 0) {
  outputs.push((await build({ ...common, entryPoints: [main], outdir: 'dist' })).metafile);
} else {
  // What another entry shares with the index, or with the first-use file (which stands for the
  // index: its modules left the index only to be loaded later, and must still exist once).
  const firstUseSources = lazyRequired
    ? sources[rest.findIndex((e) => e.in === lazyRequired.entry)]
    : new Set();
  const mainSide = (f) => inMain.has(f) || firstUseSources.has(f);
  // A group loaded apart (multiprocBuild.loadApartOnFirstUse) imports from the first-use file the
  // package's modules it shares with it, and the first-use file exports them all for it.
  const fromFirstUse = new Set();
  rest.forEach((entry, i) => {
    if (!entry.apart) return;
    for (const f of sources[i]) {
      if (firstUseSources.has(f) && !inMain.has(f) && f.startsWith(resolve('src') + sep)) fromFirstUse.add(f);
    }
  });
  if (fromFirstUse.size > 0) {
    const listed = new Set(
      lazyRequired.entry.stdin.contents.match(/"\.\/[^"]+"/g)?.map((q) => resolve('src', JSON.parse(q))),
    );
    lazyRequired.reExport([...fromFirstUse].filter((f) => !listed.has(f)).sort());
  }
  const shared = new Set();
  sources.forEach((files, i) => {
    const onlyMain = files === firstUseSources || isSelfContained(rest[i]) || rest[i].apart === true;
    for (const f of files) if (onlyMain ? inMain.has(f) : mainSide(f)) shared.add(f);
  });
  const reExports = (files) =>
    [...files]
      .sort()
      .map((f) => `export * from ${JSON.stringify(`./${relative('src', f).split('\\').join('/')}`)};`)
      .join('\n');
  if (fromIndex) await buildFromIndex(shared);
  else {
    if (rest.some(isSelfContained)) throw new Error('selfContained entries need multiprocBuild.fromIndex');
    // No hub when the other entries share nothing with the index (the umbrella's `bundle` entry),
    // or when they import it from the index.
    const hubs =
      shared.size > 0 && !indexIsHub ? { 'hub-entry': { out: HUB, source: reExports(shared) } } : {};
    outputs.push(
      (
        await build({
          ...common,
          entryPoints: [main, ...Object.entries(hubs).map(([name, hub]) => ({ in: name, out: hub.out }))],
          outdir: 'dist',
          splitting: true,
          chunkNames: 'chunks/[name]-[hash]',
          plugins: [
            inlinePlugin,
            lazyPlugin,
            ...mainPlugins,
            {
              name: 'hub-entry',
              setup(b) {
                b.onResolve({ filter: /^hub-entry$/ }, (args) => ({ path: args.path, namespace: 'hub' }));
                b.onLoad({ filter: /.*/, namespace: 'hub' }, (args) => ({
                  contents: hubs[args.path].source,
                  resolveDir: resolve('src'),
                  loader: 'ts',
                }));
              },
            },
          ],
        })
      ).metafile,
    );
    for (const entry of rest) {
      const outFile = `${entry.out}.js`;
      outputs.push(
        (
          await build({
            ...common,
            ...entryOptions(entry.in),
            outfile: join('dist', outFile),
            plugins: [
              inlinePlugin,
              lazyPlugin,
              ...(entry.apart ? [viaHub(fromFirstUse, outFile, lazyRequired.entry.out)] : []),
              viaHub(shared, outFile, indexIsHub ? main.out : HUB),
            ],
          })
        ).metafile,
      );
    }
  }

  /** With `fromIndex`: the index as one file, the hub of what only the other files share, then each. */
  async function buildFromIndex(shared) {
    const plugins = [inlinePlugin, lazyPlugin, ...mainPlugins];
    outputs.push((await build({ ...common, entryPoints: [main], outdir: 'dist', plugins })).metafile);
    // The hub holds the one copy of a `copied` module that the files loading the hub share.
    let hubShared = new Set([...shared].filter((f) => !inMain.has(f) || copied.has(f)));
    // With `firstUseFromHub`: the hub holds those modules and all they reach (but the index's), and
    // the rest of what the files share goes to the pool hub, which imports the hub (see above).
    const early = new Set();
    for (const file of pkg.multiprocBuild?.firstUseFromHub ?? []) {
      if (!lazyRequired?.files.has(resolve(file)))
        throw new Error(`${file}: firstUseFromHub, not loadOnFirstUse`);
      for (const f of await sourcesOf(file)) if (!inMain.has(f) || copied.has(f)) early.add(f);
    }
    const poolShared = early.size > 0 ? new Set([...hubShared].filter((f) => !early.has(f))) : new Set();
    if (early.size > 0) hubShared = early;
    const hubs = [
      [HUB, hubShared],
      [POOL_HUB, poolShared],
    ].filter(([, files]) => files.size > 0);
    const own = (outFile, loads) => [
      inlinePlugin,
      lazyPlugin,
      throughIndexPlugin,
      viaIndex(outFile),
      ...hubs.filter(([name]) => loads.includes(name)).map(([name, files]) => viaHub(files, outFile, name)),
    ];
    for (const [name, files] of hubs) {
      const stdin = { contents: reExports(files), resolveDir: resolve('src'), loader: 'ts' };
      const outfile = join('dist', `${name}.js`);
      const loads = name === POOL_HUB ? [HUB] : [];
      outputs.push((await build({ ...common, stdin, outfile, plugins: own(`${name}.js`, loads) })).metafile);
    }
    for (const entry of rest) {
      const outFile = `${entry.out}.js`;
      const plugins = own(outFile, isSelfContained(entry) ? [] : [HUB, POOL_HUB]);
      outputs.push(
        (await build({ ...common, ...entryOptions(entry.in), outfile: join('dist', outFile), plugins }))
          .metafile,
      );
    }
  }
  if (indexIsHub || fromIndex) checkIndexExports(outputs);
  if (fromFirstUse.size > 0) checkIndexExports(outputs, lazyRequired.entry.out);
}
// With groups loaded apart, each facade's name is one its first-use file exports: the first-use
// file re-exports modules for them, and a name two of its modules export is ambiguous, which
// `export *` drops.
if (lazyRequired?.apart.length > 0) {
  for (const [out, names] of lazyRequired.facades) {
    const file = join('dist', `${out}.js`);
    const exported = new Set(outputs.find((m) => m.outputs[file])?.outputs[file].exports ?? []);
    const missing = [...names].filter((n) => !exported.has(n));
    if (missing.length > 0)
      throw new Error(`${file} does not export ${missing.join(', ')}: a name exported twice?`);
  }
}

/**
 * With `indexIsHub`: every name another entry imports from the index (or from `target`: the
 * first-use file, which a group loaded apart imports from) is one it exports, or Node refuses the
 * file when it is loaded (on first use, long after the build).
 */
function checkIndexExports(metafiles, target = main.out) {
  const index = join('dist', `${target}.js`);
  const exported = new Set(metafiles.find((m) => m.outputs[index])?.outputs[index].exports ?? []);
  for (const file of metafiles.flatMap((m) => Object.keys(m.outputs)).filter((f) => f.endsWith('.js'))) {
    if (file === index) continue;
    const text = readFileSync(file, 'utf8').replace(/\\\n/g, '');
    for (const m of text.matchAll(/import\{([^}]*)\}from"((?:\.\.?\/)+)([\w/-]+)\.js"/g)) {
      if (join(dirname(file), m[2], `${m[3]}.js`) !== index) continue;
      const missing = m[1]
        .split(',')
        .map((spec) => spec.trim().split(/\s+as\s+/)[0])
        .filter((name) => name && !exported.has(name));
      if (missing.length > 0)
        throw new Error(`${file} imports ${missing.join(', ')} from ${index}, which does not export it`);
    }
  }
}

// A package that runs in browsers too (`@multiproc/shared`, whose index loads its shared-memory
// objects on first use on Node: `multiprocBuild.browser`) also gets its whole index as one file,
// for the `browser` export condition: a browser cannot load code synchronously on first use.
if (pkg.multiprocBuild?.browser) {
  const entryPoints = [{ in: main.in, out: pkg.multiprocBuild.browser }];
  outputs.push((await build({ ...common, entryPoints, outdir: 'dist', plugins: [inlinePlugin] })).metafile);
}

/**
 * esbuild turns `require('zod')` into `__require("zod")`: back to `require("zod")`. And an
 * `import()` of a path known only at run time (a task module, tsx's loader) is Node's to do: the
 * minifier drops the source's magic comments, so they are put back, or a bundler would take it over.
 * The code is parsed, so text that only looks like such a call (in a string, a comment) is left.
 */
function rewriteRuntimeCalls(text) {
  /** @type {{ at: number, end: number, text: string }[]} */
  const edits = [];
  const visit = (node) => {
    if (Array.isArray(node)) for (const item of node) visit(item);
    if (node === null || typeof node !== 'object' || typeof node.type !== 'string') return;
    if (node.type === 'ImportExpression' && node.source.type !== 'Literal') {
      const ignore = '/* webpackIgnore: true */ /* @vite-ignore */ ';
      edits.push({ at: node.source.start, end: node.source.start, text: ignore });
    }
    const [first] = node.arguments ?? [];
    if (node.type === 'CallExpression' && node.callee.name === '__require' && first?.type === 'Literal')
      edits.push({ at: node.callee.start, end: node.callee.end, text: 'require' });
    for (const key of Object.keys(node)) if (typeof node[key] === 'object') visit(node[key]);
  };
  visit(parse(text, { ecmaVersion: 'latest', sourceType: 'module' }));
  let out = text;
  for (const edit of edits.sort((a, b) => b.at - a.at))
    out = out.slice(0, edit.at) + edit.text + out.slice(edit.end);
  return out;
}

// In every output file: the calls above rewritten (a bundle of the user's app must still see a plain
// `require('zod')`: that is how it bundles zod; plain ESM throws at it as before), and a lazy
// module's placeholder path becomes its path relative to the file that imports it.
for (const file of outputs.flatMap((m) => Object.keys(m.outputs)).filter((f) => f.endsWith('.js'))) {
  const text = readFileSync(file, 'utf8');
  const fixed = rewriteRuntimeCalls(text)
    // esbuild's lineLimit may break a long string with a line continuation, anywhere in the prefix too.
    .replace(placeholderRe(THROUGH_INDEX), () => {
      const rel = posix.relative(
        posix.dirname(relative('dist', file).split('\\').join('/')),
        `${main.out}.js`,
      );
      return JSON.stringify(rel.startsWith('.') ? rel : `./${rel}`);
    })
    .replace(placeholderRe(LAZY), (_, split) => {
      const out = split.replace(/\\\n/g, '');
      const rel = posix.relative(posix.dirname(relative('dist', file).split('\\').join('/')), out);
      return JSON.stringify(rel.startsWith('.') ? rel : `./${rel}`);
    });
  // A placeholder left in would fail only at run time, on first use: fail the build instead.
  if (fixed.replace(/\\\n/g, '').includes(LAZY) || fixed.replace(/\\\n/g, '').includes(THROUGH_INDEX))
    throw new Error(`${file}: a lazy placeholder was not rewritten`);
  if (fixed !== text) writeFileSync(file, fixed);
}
// A published file (a source map too) names no path of the machine that built it.
for (const file of outputs.flatMap((m) => Object.keys(m.outputs))) {
  if (readFileSync(file, 'utf8').includes(resolve('.')))
    throw new Error(`${file} names the build machine's path ${resolve('.')}: make it relative`);
}
if (lazyRequired) writeFileSync(join('dist', `${FIRST_USE_OUT}${FIRST_USE_STUB_EXT}`), FIRST_USE_STUB);
for (const group of lazyRequired?.apart ?? [])
  writeFileSync(join('dist', `${group.out}${FIRST_USE_STUB_EXT}`), firstUseStub(group.out));
// The same code as a CommonJS function, which Node runs on first use, and the hub as one too, which
// its ES module runs (scripts/first-use.mjs).
if (lazyRequired?.factory) await writeFactory(common);
if (lazyRequired?.factory) for (const group of lazyRequired.apart) await writeFactory(common, group.out);
if (pkg.multiprocBuild?.hubFactory === true) {
  const hub = outputs.some((m) => m.outputs[join('dist', `${HUB_FACTORY}.js`)] !== undefined);
  if (!hub) throw new Error('multiprocBuild.hubFactory: this package has no hub');
  await writeHubFactory(common);
  if (outputs.some((m) => m.outputs[join('dist', `${POOL_HUB}.js`)] !== undefined))
    await writeHubFactory(common, POOL_HUB);
}
