/**
 * A fresh project outside the repository, the way a user has one: its own package.json, and
 * `node_modules` holding the packages under their published names (`@multiproc/multiproc` and
 * the scoped packages, linked to the built workspace folders), plus tsx, zod and esbuild. Examples and
 * README snippets are copied in and run there, so they resolve exactly as pasted.
 */
import { cpSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DOCS = fileURLToPath(new URL('../', import.meta.url));
export const REPO = join(DOCS, '../..');

/** Published name -> workspace folder. The umbrella's folder is `packages/multiproc`. */
const PACKAGES: Record<string, string> = {
  '@multiproc/multiproc': 'packages/multiproc',
  '@multiproc/core': 'packages/core',
  '@multiproc/ipc': 'packages/ipc',
  '@multiproc/shared': 'packages/shared',
};

/** The folder of a package as installed for `fromDir` (its realpath). */
function packageDir(name: string, fromDir: string): string {
  const require = createRequire(join(fromDir, 'noop.js'));
  return realpathSync(dirname(require.resolve(`${name}/package.json`)));
}

export interface Project {
  readonly dir: string;
  dispose(): void;
}

/** Makes the project; `type` is its package.json `type`. */
export function makeProject(type: 'module' | 'commonjs' = 'module'): Project {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'multiproc-docs-')));
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'user-app', private: true, type }, null, 2),
  );
  const modules = join(dir, 'node_modules');
  mkdirSync(join(modules, '@multiproc'), { recursive: true });
  for (const [name, folder] of Object.entries(PACKAGES))
    symlinkSync(join(REPO, folder), join(modules, name), 'dir');
  symlinkSync(packageDir('tsx', REPO), join(modules, 'tsx'), 'dir');
  symlinkSync(packageDir('zod', join(REPO, 'packages/ipc')), join(modules, 'zod'), 'dir');
  symlinkSync(packageDir('esbuild', DOCS), join(modules, 'esbuild'), 'dir');
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Copies a folder of the docs (such as `examples`) into the project. */
export function copyInto(project: Project, from: string, to = from): string {
  const target = join(project.dir, to);
  cpSync(join(DOCS, from), target, { recursive: true });
  return target;
}
