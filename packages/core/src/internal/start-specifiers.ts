/**
 * Resolves the module specifier of a `--import`, `--require` or `--loader` flag the way Node did
 * at start-up, against the start-up directory, into an absolute path or `file:` URL: a worker
 * started after `process.chdir()` would otherwise resolve `./reg.mjs` or `tsx` against the new
 * working directory and fail to start. Anything it cannot resolve is returned unchanged.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const URL_SCHEME = /^[a-z][a-z0-9+.-]+:/i;
const RELATIVE = /^\.\.?(\/|\\|$)/;
// The conditions Node's ESM resolver matches for an `--import` by default, in its order of preference.
const CONDITIONS = new Set(['node', 'import', 'module-sync', 'default']);

/** The flags whose value is a module specifier Node resolves against the working directory. */
export const SPECIFIER_FLAGS: ReadonlySet<string> = new Set([
  '--import',
  '--require',
  '-r',
  '--loader',
  '--experimental-loader',
]);

/** `spec`, given to `flag`, resolved against `baseDir`; unchanged if absolute, a URL, or not found. */
export function resolveSpecifier(flag: string, spec: string, baseDir: string): string {
  if (isAbsolute(spec) || URL_SCHEME.test(spec)) return spec;
  const from = join(baseDir, 'noop.js');
  if (flag === '--require' || flag === '-r') {
    try {
      return process.getBuiltinModule('node:module').createRequire(from).resolve(spec);
    } catch {
      return spec;
    }
  }
  if (RELATIVE.test(spec)) return pathToFileURL(resolve(baseDir, spec)).href;
  return resolvePackage(spec, baseDir) ?? spec;
}

/** A bare specifier (`tsx`, `@scope/pkg/sub`): the package's `import` entry, found from `baseDir` up. */
function resolvePackage(spec: string, baseDir: string): string | undefined {
  const parts = spec.split('/');
  const nameLength = spec.startsWith('@') ? 2 : 1;
  const name = parts.slice(0, nameLength).join('/');
  const subpath = parts.length > nameLength ? `./${parts.slice(nameLength).join('/')}` : '.';
  for (let dir = baseDir; ; dir = dirname(dir)) {
    const pkgDir = join(dir, 'node_modules', name);
    if (existsSync(join(pkgDir, 'package.json'))) return packageEntry(pkgDir, subpath);
    if (dirname(dir) === dir) return undefined;
  }
}

function packageEntry(pkgDir: string, subpath: string): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
    const { exports } = pkg;
    let target: string | undefined;
    if (exports === undefined) target = subpath === '.' ? (pkg.main ?? 'index.js') : subpath;
    else {
      const bySubpath =
        typeof exports === 'object' && !Array.isArray(exports) && Object.keys(exports)[0]?.startsWith('.');
      target = pickTarget(bySubpath ? exports[subpath] : subpath === '.' ? exports : undefined);
    }
    return target === undefined ? undefined : pathToFileURL(join(pkgDir, target)).href;
  } catch {
    return undefined;
  }
}

function pickTarget(target: unknown): string | undefined {
  if (typeof target === 'string') return target;
  if (Array.isArray(target)) {
    for (const item of target) {
      const found = pickTarget(item);
      if (found) return found;
    }
    return undefined;
  }
  if (target === null || typeof target !== 'object') return undefined;
  for (const [condition, value] of Object.entries(target)) {
    if (!CONDITIONS.has(condition)) continue;
    const found = pickTarget(value);
    if (found) return found;
  }
  return undefined;
}
