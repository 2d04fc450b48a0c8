// Modules loaded on first use, synchronously (issue #18): for `scripts/bundle.mjs`.
//
// A package lists source modules in `package.json` under `multiprocBuild.loadOnFirstUse` (and the
// codec types they register under `multiprocBuild.firstUseCodecs`). Its main entry still re-exports
// them statically in the source, so the types, the docs and the tests on source see the real
// modules. In the build, the entry's imports of them become a facade: each exported class or
// function is a Proxy that loads `dist/lazy/first-use.js` with `require()` (an ES module: Node
// 20.19+ and 22.12+ load it synchronously) the first time it is called, constructed, extended or
// read from, and then forwards to the real one. So `new Listener()`, `processManager()` or
// `class M extends BaseManager` work as before, and an import never compiles the code behind them.
// A package with `multiprocBuild.firstUseFactory` (ipc, core) has that code run on Node as a
// CommonJS function instead, which links no ES module, and core's hub is one too
// (FIRST_USE_FACTORY_EXT and HUB_FACTORY in scripts/first-use-factory.mjs). The facades' runtime is
// in scripts/first-use-runtime.mjs.
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { FIRST_USE_FACTORY_EXT, FIRST_USE_OUT, HUB_FACTORY, POOL_HUB_FACTORY } from './first-use-factory.mjs';
import { runtimeCoreSource, runtimeSource } from './first-use-runtime.mjs';

/**
 * `@multiproc/shared`'s module that exports the facades' runtime to the other packages' indexes: a
 * stand-in on the sources, the runtime itself in the build (runtimeCoreSource).
 */
const RUNTIME_MODULE = resolve('src/internal/first-use-runtime.js');

/** scripts/first-use-guard.js: the first-use file's first statement. */
const GUARD = fileURLToPath(new URL('./first-use-guard.js', import.meta.url));

export {
  FIRST_USE_OUT,
  HUB_FACTORY,
  POOL_HUB_FACTORY,
  writeFactory,
  writeHubFactory,
} from './first-use-factory.mjs';

/**
 * The extension of the lazy file's one-line stub (`export * from './first-use.js'`), which Node
 * loads on first use. No require hook (tsx's: .js .mjs .cjs and the TypeScript ones) claims it.
 */
export const FIRST_USE_STUB_EXT = '.esm';

/** The text of the stub of `dist/<out>.js`, written beside it. */
export const firstUseStub = (out) =>
  `// Loaded on first use by the package's index: see scripts/first-use.mjs in the repository.\nexport * from './${out.split('/').at(-1)}.js';\n`;

/** The stub's text, written beside `dist/lazy/first-use.js`. */
export const FIRST_USE_STUB = firstUseStub(FIRST_USE_OUT);

/**
 * What kind of function `name` is in `source`, for the facade's target: 'async' (an async
 * function), 'arrow' (no 'prototype', not a constructor), or 'function' (a class or a plain
 * function). The facade test of the umbrella checks each facade against its real export.
 */
function kindOf(source, name) {
  const n = name.replace(/\$/g, '\\$');
  if (new RegExp(`export\\s+async\\s+function\\b\\s*\\*?\\s*${n}\\b`).test(source)) return 'async';
  if (new RegExp(`export\\s+const\\s+${n}\\b[^=]*=\\s*async\\b`).test(source)) return 'async';
  if (new RegExp(`export\\s+const\\s+${n}\\b[^=]*=\\s*(\\([^)]*\\)|\\w+)\\s*(:[^=]*)?=>`).test(source))
    return 'arrow';
  return 'function';
}

/** The names a module exports at runtime (types are erased), and its `export { a as b }` aliases. */
async function exportsOf(file) {
  const { metafile } = await build({
    entryPoints: [file],
    bundle: true,
    format: 'esm',
    platform: 'node',
    packages: 'external',
    write: false,
    outdir: 'first-use-probe',
    metafile: true,
    logLevel: 'silent',
  });
  const names = Object.values(metafile.outputs).find((o) => o.entryPoint)?.exports ?? [];
  const aliases = new Map();
  for (const [, list] of readFileSync(file, 'utf8').matchAll(/export\s*\{([^}]*)\}\s*;/g)) {
    for (const [, from, to] of list.matchAll(/(\w+)\s+as\s+(\w+)/g)) aliases.set(to, from);
  }
  return { names, aliases };
}

/**
 * The first-use setup of a package, or undefined: `plugin(mainEntry)` swaps the main entry's imports
 * of the listed modules for facades; `entry` is the lazy file to build like any other lazy module.
 */
export function firstUse(pkg, lazyPlaceholder) {
  const config = pkg.multiprocBuild ?? {};
  const files = new Set((config.loadOnFirstUse ?? []).map((f) => resolve(f)));
  if (files.size === 0) return undefined;
  // Groups loaded apart (`multiprocBuild.loadApartOnFirstUse`, ipc: Listener, Client and the
  // managers): each its own file, `dist/lazy/first-use-<name>.js`, that the first use of one of its
  // exports loads after the first-use file, whose modules it imports from it (see APART below).
  const apart = (config.loadApartOnFirstUse ?? []).map((group) => {
    const out = `${FIRST_USE_OUT}-${group.name}`;
    return {
      name: group.name,
      out,
      files: new Set(group.files.map((f) => resolve(f))),
      codecs: group.codecs ?? [],
      placeholder: `${lazyPlaceholder}${out}.js`,
      stub: `${lazyPlaceholder}${out}${FIRST_USE_STUB_EXT}`,
      factory:
        config.firstUseFactory === true ? `${lazyPlaceholder}${out}${FIRST_USE_FACTORY_EXT}` : undefined,
    };
  });
  if (apart.length > 0 && config.indexIsHub !== true)
    throw new Error('multiprocBuild.loadApartOnFirstUse needs indexIsHub');
  const groupOf = new Map();
  for (const [i, group] of apart.entries()) {
    for (const f of group.files) {
      if (files.has(f) || groupOf.has(f)) throw new Error(`${f} is listed twice for first use`);
      groupOf.set(f, i);
    }
  }
  const allFiles = new Set([...files, ...groupOf.keys()]);
  const facades = new Map([FIRST_USE_OUT, ...apart.map((g) => g.out)].map((out) => [out, new Set()]));
  const placeholder = `${lazyPlaceholder}${FIRST_USE_OUT}.js`;
  const stub = `${lazyPlaceholder}${FIRST_USE_OUT}${FIRST_USE_STUB_EXT}`;
  const factory =
    config.firstUseFactory === true
      ? `${lazyPlaceholder}${FIRST_USE_OUT}${FIRST_USE_FACTORY_EXT}`
      : undefined;
  const hub =
    factory !== undefined && config.hubFactory === true ? `${lazyPlaceholder}${HUB_FACTORY}` : undefined;
  // Modules whose first use runs the hub alone (`multiprocBuild.firstUseFromHub`, see bundle.mjs),
  // and the pool hub, which the rest of the first-use code loads besides it.
  const fromHub = new Set((config.firstUseFromHub ?? []).map((f) => resolve(f)));
  if (fromHub.size > 0 && hub === undefined)
    throw new Error('multiprocBuild.firstUseFromHub needs hubFactory');
  const poolHub = fromHub.size > 0 ? `${lazyPlaceholder}${POOL_HUB_FACTORY}` : undefined;
  const withIpc = pkg.dependencies?.['@multiproc/ipc'] !== undefined;
  const self = pkg.name === '@multiproc/shared';
  const what = self
    ? { used: 'a Lock, Value, SharedArray or other shared-memory object', all: 'its shared-memory objects' }
    : { used: 'Process, Pool, a queue or a pipe', all: 'Process, Pool, queues and pipes' };
  const runtime = runtimeSource(
    placeholder,
    stub,
    config.firstUseCodecs ?? [],
    factory,
    hub,
    poolHub,
    withIpc,
    self,
    what,
    apart,
  );
  // The guard comes first: it says what went wrong when a bundler runs this file before the index.
  const entryOf = (list, out) => ({
    stdin: {
      contents: [
        `import ${JSON.stringify(GUARD)};`,
        ...[...list].map(
          (f) => `export * from ${JSON.stringify(`./${relative('src', f).split('\\').join('/')}`)};`,
        ),
      ].join('\n'),
      resolveDir: resolve('src'),
      loader: 'ts',
      sourcefile: `${out.split('/').at(-1)}.ts`,
    },
    out,
  });
  return {
    files: allFiles,
    factory: factory !== undefined,
    entry: entryOf(files, FIRST_USE_OUT),
    // APART: each group's entry. bundle.mjs builds it importing from the first-use file what it
    // shares with it (`reExport` adds those modules to the first-use file's exports), and from the
    // index what the index holds.
    apart: apart.map((group) => ({ ...group, entry: entryOf(group.files, group.out) })),
    // Output name → the facades' names it must export (filled as the index is built).
    facades,
    reExport(modules) {
      this.entry.stdin.contents += modules
        .map((f) => `\nexport * from ${JSON.stringify(`./${relative('src', f).split('\\').join('/')}`)};`)
        .join('');
    },
    plugin: (mainEntry) => ({
      name: 'first-use',
      setup(b) {
        b.onResolve({ filter: /^\./ }, (args) => {
          if (resolve(args.importer) !== resolve(mainEntry)) return undefined;
          const path = resolve(args.resolveDir, args.path.replace(/\.js$/, '.ts'));
          // Relative to the package: the path is the module's name in the source map.
          return allFiles.has(path) ? { path: relative('.', path), namespace: 'first-use' } : undefined;
        });
        b.onResolve({ filter: /^first-use-runtime$/ }, () => ({ path: 'runtime', namespace: 'first-use' }));
        // The runtime itself, in @multiproc/shared's index only (runtimeCoreSource): its own facades
        // import it, and so does the module that exports it to the other packages.
        b.onResolve({ filter: /^first-use-core$/ }, () => ({ path: 'core', namespace: 'first-use' }));
        b.onResolve({ filter: /first-use-runtime\.js$/ }, (args) =>
          self && resolve(args.resolveDir, args.path) === RUNTIME_MODULE
            ? { path: 'core', namespace: 'first-use' }
            : undefined,
        );
        // The index's own namespace, for the factory: an import of itself, which costs nothing.
        b.onResolve({ filter: /^first-use-index$/ }, () => ({ path: './index.js', external: true }));
        b.onResolve({ filter: new RegExp(`^${lazyPlaceholder}`) }, (args) => ({
          path: args.path,
          external: true,
        }));
        b.onLoad({ filter: /.*/, namespace: 'first-use' }, async (args) => {
          if (args.path === 'runtime') return { contents: runtime, resolveDir: resolve('src'), loader: 'js' };
          if (args.path === 'core')
            return { contents: runtimeCoreSource(), resolveDir: resolve('src'), loader: 'js' };
          const { names, aliases } = await exportsOf(resolve(args.path));
          const source = readFileSync(resolve(args.path), 'utf8');
          // The facade's loader: the hub alone (true), a group's file apart (its index), or load().
          const group = groupOf.get(resolve(args.path));
          const early = fromHub.has(resolve(args.path)) ? ', true' : group !== undefined ? `, ${group}` : '';
          const own = facades.get(group === undefined ? FIRST_USE_OUT : apart[group].out);
          for (const n of names) if (!aliases.has(n)) own.add(n);
          const lines = names
            .filter((n) => !aliases.has(n))
            .map((n) => {
              const kind = JSON.stringify(kindOf(source, n));
              return `export const ${n} = /* @__PURE__ */ lazyExport(${JSON.stringify(n)}, ${kind}${early});`;
            });
          for (const [to, from] of aliases) lines.push(`export { ${from} as ${to} };`);
          return {
            contents: `import { lazyExport } from 'first-use-runtime';\n${lines.join('\n')}\n`,
            resolveDir: resolve('src'),
            loader: 'js',
          };
        });
      },
    }),
  };
}
