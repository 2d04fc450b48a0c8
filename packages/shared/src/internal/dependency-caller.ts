/**
 * Whether a probe came from a dependency or from the program itself. A value that refuses a use
 * with advice (a pool call's pending result read as its value, a manager's proxy in a synchronous
 * loop: a `[Symbol.iterator]` that throws) gives that advice to the program's own code only: a
 * dependency that asks for the iterator to learn whether a value is a collection gets an empty
 * one, as if the property were not there. Vitest's and Jest's deep equality (`expect(p).toEqual(p)`,
 * `toHaveBeenCalledWith(p)`) iterate any value with a `[Symbol.iterator]` before comparing identity,
 * and would otherwise throw the advice. Core's pending results and ipc's proxies share this rule.
 */

/**
 * The package holding `moduleUrl` (a module's `import.meta.url`: `.../core/dist/x.js`) as a URL
 * and a path prefix: its frames are the package's own, never a dependency's. `[]` where it has no
 * URL (a CommonJS bundle of an app: esbuild leaves `import.meta` as `{}`).
 * @internal
 * @example const ownRoots = packageRoots(import.meta.url);
 */
export function packageRoots(moduleUrl: unknown): string[] {
  if (typeof moduleUrl !== 'string') return [];
  const at = Math.max(moduleUrl.lastIndexOf('/dist/'), moduleUrl.lastIndexOf('/src/'));
  if (at < 0) return [];
  const root = moduleUrl.slice(0, moduleUrl.indexOf('/', at + 1) + 1);
  try {
    return [root, (globalThis as any).process.getBuiltinModule('node:url').fileURLToPath(root)];
  } catch {
    return [root];
  }
}

/**
 * Whether the code that called `asker` (the function answering the probe) is a dependency's: the
 * first frame below it that is neither built-in (`Array.from`, `Promise.all`: passed over to their
 * caller), nor Node's own, nor in `ownRoots` ({@link packageRoots}) or an installed
 * `@multiproc/*` package, lies under `node_modules`, in a package that does not depend on
 * `@multiproc/*` itself (a program installed as a package, `npx my-cli`, is the program). False when
 * no stack can be read.
 * @internal
 * @example
 * if (askedByDependency(iterator, ownRoots)) return [][Symbol.iterator]();
 */
export function askedByDependency(
  asker: (...args: never[]) => unknown,
  ownRoots: readonly string[] = [],
): boolean {
  const holder: { stack?: string } = {};
  const limit = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = 6;
    Error.captureStackTrace(holder, asker);
  } catch {
    return false;
  } finally {
    try {
      Error.stackTraceLimit = limit;
    } catch {}
  }
  for (const frame of (holder.stack ?? '').split('\n').slice(1)) {
    if (!/:\d+:\d+\)?\s*$/.test(frame) || /[(\s]node:/.test(frame)) continue; // built-in or Node's own
    if (ownRoots.some((root) => frame.includes(root)) || /[\\/]node_modules[\\/]@multiproc[\\/]/.test(frame))
      continue;
    return /[\\/]node_modules[\\/]/.test(frame) && !usesMultiproc(frame);
  }
  return false;
}

/** Whether each installed package (its folder, as `.../node_modules/name`) depends on multiproc. */
const users = new Map<string, boolean>();

/**
 * Whether the frame's code belongs to an installed package that depends on `@multiproc/*` itself:
 * a program installed as a package (`npx my-cli`, a global install runs its code from
 * `node_modules`) is written against multiproc, and gets the advice as it did in its own folder.
 * False where its `package.json` cannot be read (a browser, a bundle's frame).
 */
function usesMultiproc(frame: string): boolean {
  const file = /(?:\(|at )((?:file:\/\/)?[^()]*?):\d+:\d+\)?\s*$/.exec(frame)?.[1];
  const at = file?.search(
    /[\\/]node_modules[\\/](?:@[^\\/]+[\\/])?[^\\/@.][^\\/]*[\\/](?!.*[\\/]node_modules[\\/])/,
  );
  if (file === undefined || at === undefined || at < 0) return false;
  const name = /^[\\/]node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(file.slice(at))![1]!;
  const root = file.slice(0, at + '/node_modules/'.length + name.length);
  let uses = users.get(root);
  if (uses === undefined) {
    uses = false;
    try {
      const { readFileSync } = (globalThis as any).process.getBuiltinModule('node:fs');
      const dir = root.startsWith('file:')
        ? (globalThis as any).process.getBuiltinModule('node:url').fileURLToPath(root)
        : root;
      const pkg = JSON.parse(readFileSync(`${dir}/package.json`, 'utf8'));
      uses = [pkg.dependencies, pkg.peerDependencies, pkg.optionalDependencies].some(
        (deps) =>
          deps !== null &&
          typeof deps === 'object' &&
          Object.keys(deps).some((d) => d.startsWith('@multiproc/')),
      );
    } catch {}
    users.set(root, uses);
  }
  return uses;
}
