// The runtime of the first-use facades (scripts/first-use.mjs), as source: its one copy goes into
// @multiproc/shared's index (runtimeCoreSource), and each package's main entry gets the part only it
// can write (runtimeSource), whose placeholder paths bundle.mjs rewrites.
import { FIRST_USE_FACTORY_EXT } from './first-use-factory.mjs';

/**
 * The facades' runtime, one copy in `@multiproc/shared`'s index, which exports it as
 * `firstUseRuntime` (its module `src/internal/first-use-runtime.ts` stands in for it on the sources):
 * each package's index runs it with what only that index can name ({@link runtimeSource}). One copy
 * instead of one in each of the three indexes: every realm that imports the umbrella (the program,
 * each worker) compiled all three (~21 KB of its ~157: issue #18).
 */
export function runtimeCoreSource() {
  return `
import { ContextError as FirstUseContextError } from './errors.js';
import { registerCodec } from './codec.js';
// spec: the package index's own parts (runtimeSource in scripts/first-use-runtime.mjs): url() (its
// import.meta.url), requireFirstUse, firstUseFiles, factoryFile, hubFiles, poolHubFiles (functions
// the index writes with literal paths: bundlers and file tracers read them there), imports (what a
// factory's imports are), codecs, apart (each group loaded apart, \`multiprocBuild.loadApartOnFirstUse\`:
// its require, files, factory and codecs, written the same way), self, what. Returns lazyExport.
export function firstUseRuntime(spec) {
  // The groups loaded apart, each after the first-use file: its code imports that file's modules.
  const apart = spec.apart ?? [];
  const apartLoaded = [];
  function loadApart(i) {
    if (apartLoaded[i] === undefined) {
      load();
      const group = apart[i];
      try {
        apartLoaded[i] = whileLoading(group.require);
      } catch {
        apartLoaded[i] = whileLoading(() => loadFromDisk(group.files, group.factory));
      }
      for (const resolve of apartResolvers[i]) {
        try {
          resolve();
        } catch {}
      }
    }
    return apartLoaded[i];
  }
  // (fromFactory's own \`load\` is a require().)
  const loadFirstUse = () => load();
  let loaded;
  function load() {
    if (loaded === undefined) {
      assertRequireModule();
      try {
        // A bundle of the user's app saw (and bundled) this require; plain ESM has no require.
        loaded = requireFirstUse();
      } catch {
        loaded = whileLoading(loadFromDisk);
      }
      // Every facade takes its real export now: a class's prototype reached through another export
      // (a factory lending its class's prototype, such as Manager's) names its wrapper at once.
      // (An export that fails to resolve says so when it is used, as before.)
      for (const resolve of resolvers) {
        try {
          resolve();
        } catch {}
      }
    }
    return loaded;
  }
  // A facade of a module the hub holds (\`multiprocBuild.firstUseFromHub\`: Process) runs the hub's
  // function alone on Node, where load() runs the first-use file's too (with the pool's host code and
  // its hub); load() still runs it later, and gets the same objects from the hub. Anywhere else (a
  // bundle of the app, Bun, Deno, Jest, a copy without the file) it is load().
  let early;
  function loadEarly() {
    if (loaded !== undefined) return loaded;
    if (early !== undefined) return early ?? load();
    early = null;
    const direct = typeof Bun === 'object' || typeof Deno === 'object';
    if (spec.hubFiles === undefined || direct || process.env.JEST_WORKER_ID !== undefined) return load();
    // What load() tries first: in a bundle of the app it works (and load() gets the same object);
    // plain ESM has no require.
    let bundled = false;
    try {
      requireFirstUse();
      bundled = true;
    } catch {}
    if (bundled) return load();
    assertRequireModule();
    try {
      early = fromFactory(nodeRequire(), undefined, undefined, '../chunks/hub.js');
    } catch (error) {
      // A copy of the package without the hub's file: load() says what is missing.
      if (error?.code !== 'MODULE_NOT_FOUND') throw firstUseError(error, false);
    }
    return early ?? load();
  }
  // The first-use file refuses to run unless this count is above 0 (scripts/first-use-guard.js): a
  // bundler that made this require() an import would run it before the index. Counted on globalThis,
  // as the packages' first-use files load one another's index, and on process: in a vm context
  // (vitest's vmThreads and vmForks pools) this index runs in the context, while Node's require()
  // runs the first-use file in the main realm, whose globalThis is another object; both see one
  // process.
  const FIRST_USE_LOADING = Symbol.for('multiproc.firstUse.loading');
  function whileLoading(run) {
    const holders = typeof process === 'object' && process !== null ? [globalThis, process] : [globalThis];
    for (const holder of holders) holder[FIRST_USE_LOADING] = (holder[FIRST_USE_LOADING] ?? 0) + 1;
    try {
      return run();
    } finally {
      for (const holder of holders) holder[FIRST_USE_LOADING] -= 1;
    }
  }
  function requireFirstUse() {
    return whileLoading(spec.requireFirstUse);
  }
  // Node's require() for the files on disk (see loadFromDisk).
  function nodeRequire() {
    return process.getBuiltinModule('node:module').createRequire(new URL('./node_modules/', spec.url()));
  }
  // The two files loaded from disk on first use. A file tracer (@vercel/nft: Next.js standalone
  // output, Vercel, Nitro) copies what an import.meta.resolve() of a literal names, and what that imports.
  const firstUseFiles = spec.firstUseFiles;
  function loadFromDisk(files = firstUseFiles, factoryOf = spec.factoryFile) {
    // On Node, the stub: no require hook claims its extension, so Node's own loader runs it as an
    // ES module of the one module map, and what it imports is what the program already loaded.
    // The .js file would go through a TypeScript runner's hook (tsx), which compiles it and all it
    // imports into a second, CommonJS copy of the packages. Bun and Deno load the .js file.
    const direct = typeof Bun === 'object' || typeof Deno === 'object';
    // Node 22.12 prints an ExperimentalWarning for a require() of an ES module made by a file outside
    // node_modules, as this package's own files are when it is linked (a workspace, npm link): this
    // require() is made as from the package's node_modules folder, as an installed copy makes it.
    const from = direct ? spec.url() : new URL('./node_modules/', spec.url());
    const load = process.getBuiltinModule('node:module').createRequire(from);
    const { fileURLToPath } = process.getBuiltinModule('node:url');
    const [stubUrl, jsUrl] = files();
    try {
      if (direct) return load(fileURLToPath(jsUrl));
      const made = factoryOf === undefined ? undefined : fromFactory(load, fileURLToPath(factoryOf()), jsUrl);
      if (made !== undefined) return made;
      try {
        return load(fileURLToPath(stubUrl));
      } catch (error) {
        // Jest's require() (the one createRequire gives a test) runs the stub as CommonJS, a syntax
        // error, and loads the .js file as an ES module of the test's own module registry: the same
        // classes the test imported (Jest 30 on Node 24.9+ with --experimental-vm-modules).
        if (error?.name !== 'SyntaxError' && error?.cause?.name !== 'SyntaxError') throw error;
        return load(fileURLToPath(jsUrl));
      }
    } catch (error) {
      throw firstUseError(error, direct, files);
    }
  }
  // The first-use code run as a function: no ES module is linked, nor any import() met (see
  // FIRST_USE_FACTORY_EXT in scripts/first-use-factory.mjs). Undefined when the file is not there (a copy
  // of the package without it): the stub is loaded then.
  function fromFactory(load, file, jsUrl, only) {
    let factory;
    try {
      factory = only === undefined ? load(file) : undefined;
    } catch (error) {
      if (error?.code === 'MODULE_NOT_FOUND' && String(error.message).includes(file)) return undefined;
      throw error;
    }
    const { fileURLToPath } = process.getBuiltinModule('node:url');
    const imports = spec.imports;
    const require = (id) => {
      if (Object.hasOwn(imports, id)) return imports[id];
      // A group loaded apart imports the first-use file's modules from it (loaded before it).
      if (id === './first-use.js') return loadFirstUse();
      if (String(id).startsWith('node:')) return process.getBuiltinModule(id);
      // (The pool hub imports the hub as './hub.js', from the same folder.)
      const files = id === '../chunks/hub.js' || id === './hub.js' ? spec.hubFiles : id === '../chunks/pool.js' ? spec.poolHubFiles : undefined;
      if (files !== undefined) {
        // A hub's function runs once per realm: a hub.js that ran before got the same object.
        const [cjs, js] = files();
        return load(fileURLToPath(cjs))(require, { exports: {} }, metaOf(js));
      }
      throw Object.assign(new Error("Cannot find module '" + id + "'"), { code: 'MODULE_NOT_FOUND' });
    };
    return only === undefined ? factory(require, { exports: {} }, metaOf(jsUrl)) : require(only);
  }
  // The import.meta of the ES module file a factory stands for (its relative specifiers resolved).
  function metaOf(url) {
    const { dirname } = process.getBuiltinModule('node:path');
    const filename = process.getBuiltinModule('node:url').fileURLToPath(url);
    return { url: url.href, filename, dirname: dirname(filename), resolve: (spec) => new URL(spec, url).href };
  }
  // A failed load as a ContextError that says what to do, or the error itself when it is not ours.
  function firstUseError(error, direct, files = firstUseFiles) {
    const [stubUrl, jsUrl] = files();
    const guide = 'https://github.com/multiproc/multiproc/blob/main/apps/docs/guide/';
    const code = error?.code;
    const said = String(error?.message).split('\\n')[0];
    const notFound = code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND';
    if (notFound && process.versions.pnp !== undefined) {
      // Before module.registerHooks (Node 22.15, 24), require() of an ES module resolves its imports
      // with Node's own ES loader, which knows neither Yarn's zip archives nor its package map (Yarn's
      // loader hooks run for import() only). Seen failing on 20.20 and 22.12, working on 22.23 and 24.
      return new FirstUseContextError(
        'multiproc cannot load its first-use code (' + decodeURI(jsUrl.pathname) + ") under Yarn Plug'n'Play on " +
          'Node.js ' + process.version + ' (' + said + '): this Node.js resolves what require() of an ES module ' +
          "imports without Yarn's hooks. Set nodeLinker: node-modules in .yarnrc.yml and run yarn install, or run " +
          'Node.js 22.15+ or 24 (' + guide + 'runtimes.md#package-managers).',
        { cause: error },
      );
    }
    if (notFound) {
      const { existsSync } = process.getBuiltinModule('node:fs');
      const gone = (direct ? [jsUrl] : [stubUrl, jsUrl]).filter((url) => !existsSync(url));
      const what = gone.length > 0 ? gone.map((url) => decodeURI(url.pathname)).join(' and ') : 'a file';
      return new FirstUseContextError(
        'multiproc could not load ' + what + ' (' + said + '): it loads its dist/lazy/ files the first time ' +
          spec.what.used + ' is used, and a bundler or a file tracer left them out. Deploy the ' +
          "package's whole folder, or bundle the app as " + guide + 'bundling.md says.',
        { cause: error },
      );
    }
    if (code === 'ERR_REQUIRE_ESM' && process.env.JEST_WORKER_ID === undefined && nodeRequiresModules()) {
      return requireModuleOff(error);
    }
    if (process.env.JEST_WORKER_ID !== undefined) {
      return new FirstUseContextError(
        'multiproc cannot load ' + decodeURI(jsUrl.pathname) + ' under Jest on Node.js ' + process.version + ' (' +
          said + '): it loads ' + spec.what.all + ' on first use with require() of an ES module, which ' +
          "Jest's require() does from Node.js 24.9 on (with NODE_OPTIONS=--experimental-vm-modules). Run these " +
          'tests on Node.js 24.9+, or with vitest or node:test, which host multiproc on every supported Node ' +
          '(' + guide + 'runtimes.md#test-runners).',
        { cause: error },
      );
    }
    return error;
  }
  // Loading on first use needs require() of an ES module, which Node has from 20.19 and 22.12 on;
  // older lines fail deep inside it (ERR_REQUIRE_ESM) with advice that does not apply to the user.
  // The version decides, and the program's flags: process.features.require_module is false when the
  // program turned it off (--no-experimental-require-module), and also in a sandbox such as Jest's,
  // whose process says false on every Node (and whose require() loads ES modules all the same).
  let requireModuleOk = typeof Bun === 'object' || typeof Deno === 'object';
  function assertRequireModule() {
    if (requireModuleOk || process.features.require_module === true) {
      requireModuleOk = true;
      return;
    }
    if (nodeRequiresModules()) {
      if (process.features.require_module === false && requireModuleFlaggedOff()) {
        throw requireModuleOff();
      }
      requireModuleOk = true;
      return;
    }
    throw new FirstUseContextError(
      'multiproc needs Node.js ^20.19.0 or >=22.12.0 (or 24 and later), and this is Node.js ' + process.version +
        ': it loads parts of itself with require() of an ES module, which this Node cannot do.' +
        ' Upgrade Node.js to 20.19+, 22.12+ or 24.',
    );
  }
  function requireModuleFlaggedOff() {
    const options = String(process.env.NODE_OPTIONS ?? '').split(/\\s+/);
    return [...process.execArgv, ...options].includes('--no-experimental-require-module');
  }
  // This Node can require() an ES module, but the program turned that off.
  function requireModuleOff(cause) {
    return new FirstUseContextError(
      'multiproc cannot load ' + spec.what.all + ' on Node.js ' + process.version + ': it loads them on ' +
        'first use with require() of an ES module, which this program turned off with ' +
        '--no-experimental-require-module (process.features.require_module is false). Remove that flag from ' +
        'NODE_OPTIONS or the node command line.',
      cause === undefined ? undefined : { cause },
    );
  }
  function nodeRequiresModules() {
    const [major, minor] = String(process.versions.node).split('.').map(Number);
    return major > 22 || (major === 22 && minor >= 12) || (major === 20 && minor >= 19);
  }
  // A value of a lazily loaded class can arrive before this thread used the class: its decoder loads it.
  // A decoder already registered is the real one: a bundle ran the first-use code before this file
  // (Rollup's transformMixedEsModules hoists the require() above into an import), and load() will
  // not run it again to register it a second time.
  const registry = globalThis[Symbol.for('multiproc.codec.registry')];
  for (const type of spec.codecs) {
    if (registry.has(type)) continue;
    const decode = (data, ctx) => {
      load();
      const real = registry.get(type);
      if (real === decode) throw new Error('multiproc: ' + type + ' was not registered by the module loaded on first use');
      return real(data, ctx);
    };
    registerCodec(type, decode);
  }
  for (const [i, group] of apart.entries()) {
    for (const type of group.codecs) {
      if (registry.has(type)) continue;
      const decode = (data, ctx) => {
        loadApart(i);
        const real = registry.get(type);
        if (real === decode) throw new Error('multiproc: ' + type + ' was not registered by the module loaded on first use');
        return real(data, ctx);
      };
      registerCodec(type, decode);
    }
  }
  // Each facade with its real export once loaded (null until then), and the callable wrappers of
  // @multiproc/core's internal/callable.ts (both on globalThis, per realm): a wrapper made of a
  // facade before it loads (the umbrella's \`mp.Pool\`) becomes the \`constructor\` its real class's
  // prototype names once it loads, so \`new mp.Pool().constructor === mp.Pool\` (claimConstructor
  // there; a wrapper made later reads the real export here). A stand-in that claimed a facade first
  // (the umbrella's \`mp.Lock\`, which follows the start method) is in \`claims\`; a facade of
  // @multiproc/shared no wrapper claimed is its class's constructor itself, as the class was before it
  // loaded on first use: \`new Lock().constructor === Lock\`.
  const facades = (globalThis[Symbol.for('multiproc.firstUse.facades')] ??= new WeakMap());
  const claims = (globalThis[Symbol.for('multiproc.firstUse.claims')] ??= new WeakMap());
  const resolvers = [];
  const apartResolvers = apart.map(() => []);
  function claimConstructor(real, facade) {
    const wrapper =
      claims.get(facade) ??
      globalThis[Symbol.for('multiproc.callableWrappers')]?.get(facade) ??
      (spec.self ? facade : undefined);
    const prototype = real.prototype;
    if (wrapper === undefined || typeof prototype !== 'object' || prototype === null) return;
    const own = Object.getOwnPropertyDescriptor(prototype, 'constructor');
    if (!own?.writable || own.value !== real) return;
    try {
      Object.defineProperty(prototype, 'constructor', { ...own, value: wrapper });
    } catch {}
  }
  // \`how\`: true for a module the hub holds (loadEarly), a group's index for one loaded apart.
  function lazyExport(name, kind, how = false) {
    // The target has the shape of the real export (kind, from the source: see kindOf() in
    // scripts/first-use.mjs), so that what the Proxy must report of it (a Proxy's invariants) is
    // true of the real one too: a plain or async function or an arrow ('prototype' or not, a
    // constructor or not). A plain function's own 'prototype' is writable: once loaded it becomes
    // the real one (frozen, for a class).
    const target = kind === 'async' ? async function () {} : kind === 'arrow' ? () => {} : function () {};
    Object.defineProperty(target, 'name', { value: name });
    let real;
    const get = () => {
      if (real === undefined) {
        real = (how === true ? loadEarly() : typeof how === 'number' ? loadApart(how) : load())[name];
        if (typeof real !== 'function') throw new Error('multiproc: first-use export ' + name + ' is not a function');
        const proto = Object.getOwnPropertyDescriptor(real, 'prototype');
        if (proto) Object.defineProperty(target, 'prototype', proto);
        facades.set(proxy, real);
        claimConstructor(real, proxy);
      }
      return real;
    };
    const self = (receiver) => (receiver === proxy ? get() : receiver);
    // A property the target must keep reporting (own, non-configurable): every trap agrees with it.
    const fixed = (t, key) => Reflect.getOwnPropertyDescriptor(t, key)?.configurable === false;
    // Makes the target an exact copy of the real export's own properties and prototype: then the
    // invariants of a non-extensible target (its keys and prototype are the whole truth) hold.
    const mirror = (t) => {
      const r = get();
      for (const key of Reflect.ownKeys(t)) {
        if (!Reflect.getOwnPropertyDescriptor(r, key)) Reflect.deleteProperty(t, key);
      }
      for (const key of Reflect.ownKeys(r)) {
        Reflect.defineProperty(t, key, Reflect.getOwnPropertyDescriptor(r, key));
      }
      Reflect.setPrototypeOf(t, Reflect.getPrototypeOf(r));
    };
    const proxy = new Proxy(target, {
      apply: (_t, thisArg, args) => Reflect.apply(get(), thisArg, args),
      construct: (_t, args, newTarget) => Reflect.construct(get(), args, self(newTarget)),
      get: (_t, key, receiver) => Reflect.get(get(), key, self(receiver)),
      set: (_t, key, value, receiver) => Reflect.set(get(), key, value, self(receiver)),
      has: (t, key) => Reflect.has(get(), key) || fixed(t, key),
      deleteProperty: (t, key) =>
        Reflect.deleteProperty(get(), key) && (!Reflect.has(t, key) || Reflect.deleteProperty(t, key)),
      ownKeys: (t) => [...new Set([...Reflect.ownKeys(get()), ...Reflect.ownKeys(t)])],
      getOwnPropertyDescriptor: (t, key) => {
        const own = Reflect.getOwnPropertyDescriptor(get(), key);
        // A non-configurable property reported must be one of the target's too.
        if (own && own.configurable === false && !fixed(t, key)) Reflect.defineProperty(t, key, own);
        return own ?? Reflect.getOwnPropertyDescriptor(t, key);
      },
      defineProperty: (t, key, desc) => {
        if (!Reflect.defineProperty(get(), key, desc)) return false;
        const now = Reflect.getOwnPropertyDescriptor(real, key);
        // Defined non-configurable (Object.defineProperty's default): the target must hold it too.
        return now?.configurable === false ? Reflect.defineProperty(t, key, now) : true;
      },
      getPrototypeOf: () => Reflect.getPrototypeOf(get()),
      setPrototypeOf: (t, proto) =>
        Reflect.setPrototypeOf(get(), proto) && Reflect.setPrototypeOf(t, proto),
      isExtensible: (t) => Reflect.isExtensible(t),
      preventExtensions: (t) => {
        if (!Reflect.preventExtensions(get())) return false;
        mirror(t);
        return Reflect.preventExtensions(t);
      },
    });
    facades.set(proxy, null);
    (typeof how === 'number' ? apartResolvers[how] : resolvers).push(get);
    return proxy;
  }
  return lazyExport;
}
`;
}

/**
 * The facades' part in each package's index (`PATH` is rewritten by bundle.mjs): what only the index
 * can write (its `import.meta`, a `require()` of its first-use file that a bundler of the app sees,
 * `import.meta.resolve()` of literal paths that a file tracer copies), handed to the runtime that
 * `@multiproc/shared` holds ({@link runtimeCoreSource}). With `self` (`@multiproc/shared` itself) the
 * runtime and what it takes from `@multiproc/shared` come from the package's own modules, and `what`
 * names what its first use loads, in its error messages.
 */
export function runtimeSource(
  placeholder,
  stub,
  codecs,
  factory,
  hub,
  poolHub,
  withIpc,
  self,
  what,
  apart = [],
) {
  const runtimeImport = self
    ? "import { firstUseRuntime } from 'first-use-core';"
    : "import { firstUseRuntime } from '@multiproc/shared';";
  const fileOf = (path) =>
    `new URL(typeof import.meta.resolve === 'function' ? import.meta.resolve(${JSON.stringify(path)}) : new URL(${JSON.stringify(path)}, import.meta.url))`;
  // The first-use code as a function, and what it imports (FIRST_USE_FACTORY_EXT, HUB_FACTORY in
  // scripts/first-use-factory.mjs).
  const factoryParts = factory
    ? `${self ? '' : "import * as firstUseShared from '@multiproc/shared';"}
${withIpc ? "import * as firstUseIpc from '@multiproc/ipc';" : ''}
import * as firstUseIndex from 'first-use-index';${self ? '\nconst firstUseShared = firstUseIndex;' : ''}
const factoryParts = {
  factoryFile: () => ${fileOf(factory)},
  hubFiles: ${hub ? `() => [${fileOf(`${hub}${FIRST_USE_FACTORY_EXT}`)}, ${fileOf(`${hub}.js`)}]` : 'undefined'},
  poolHubFiles: ${poolHub ? `() => [${fileOf(`${poolHub}${FIRST_USE_FACTORY_EXT}`)}, ${fileOf(`${poolHub}.js`)}]` : 'undefined'},
  imports: { '../index.js': firstUseIndex, '@multiproc/shared': firstUseShared${withIpc ? ", '@multiproc/ipc': firstUseIpc" : ''} },
};`
    : 'const factoryParts = { factoryFile: undefined, hubFiles: undefined, poolHubFiles: undefined, imports: {} };';
  // Each group loaded apart (`multiprocBuild.loadApartOnFirstUse`, scripts/first-use.mjs): its
  // require() for a bundle of the app, its stub and file for a file tracer, its function, its codecs.
  const apartSource = apart
    .map(
      (g) => `
    {
      require: () => require(${JSON.stringify(g.placeholder)}),
      files: () => [${fileOf(g.stub)}, ${fileOf(g.placeholder)}],
      factory: ${factory && g.factory ? `() => ${fileOf(g.factory)}` : 'undefined'},
      codecs: ${JSON.stringify(g.codecs)},
    },`,
    )
    .join('');
  return `
${runtimeImport}
${factoryParts}
export const lazyExport = firstUseRuntime({
  ...factoryParts,
  // Read on first use only: import.meta's first read in a module loads Node's initializer for it.
  url: () => import.meta.url,
  // A bundle of the user's app sees (and bundles) this require; plain ESM has no require.
  requireFirstUse: () => require(${JSON.stringify(placeholder)}),
  // The two files loaded from disk on first use. A file tracer (@vercel/nft: Next.js standalone
  // output, Vercel, Nitro) copies what an import.meta.resolve() of a literal names, and what that imports.
  firstUseFiles: () => [${fileOf(stub)}, ${fileOf(placeholder)}],
  codecs: ${JSON.stringify(codecs)},${apart.length > 0 ? `\n  apart: [${apartSource}\n  ],` : ''}
  self: ${self},
  what: ${JSON.stringify(what)},
});
`;
}
