/**
 * Where the worker entries are: the files every pool worker and `Process` worker starts with.
 * Installed from npm they sit in this package's `dist/worker/`. A bundled app has no such folder:
 * its build emits them as files of their own (see the bundling guide), found here by name in the
 * folder `MULTIPROC_WORKER_DIR` names, else next to the bundled code or the main script.
 *
 * Paths are built with `node:path`, not `new URL('…', import.meta.url)`: bundlers rewrite that
 * pattern (webpack copies the file as an asset), which would hide the missing entry again.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { WorkerEntryNotFoundError } from '../errors.js';

/** The two entries: `'pool'` for pool workers, `'process'` for `Process` workers. */
export type WorkerEntryKind = 'pool' | 'process';

/** The file names a bundled app gives the entries (without extension). */
export const BUNDLED_ENTRY_NAMES: Readonly<Record<WorkerEntryKind, string>> = {
  pool: 'multiproc-pool-worker',
  process: 'multiproc-process-worker',
};

const EXTENSIONS = ['.js', '.mjs', '.cjs'];
const found = new Map<WorkerEntryKind, string>();

/** This module's own file, when the code runs as an ES module (undefined in a CommonJS bundle). */
function ownFile(): string | undefined {
  const url: unknown = import.meta.url;
  return typeof url === 'string' && url.startsWith('file:') ? fileURLToPath(url) : undefined;
}

function candidates(kind: WorkerEntryKind): string[] {
  const named = (dir: string) => EXTENSIONS.map((ext) => join(dir, BUNDLED_ENTRY_NAMES[kind] + ext));
  const configured = process.env.MULTIPROC_WORKER_DIR;
  if (configured) return named(resolve(configured));
  const own = ownFile();
  const main = process.argv[1];
  const dirs = [own && dirname(own), main && dirname(resolve(main))].filter((d): d is string => !!d);
  const installed = own
    ? [installedEntry(kind) ?? join(dirname(own), '..', 'worker', `${kind}-entry.js`)]
    : [];
  return [...new Set(dirs)].flatMap(named).concat(installed);
}

/**
 * The entry in this package's `dist/worker/` (every file that holds this code sits one folder
 * below `dist/`). Written as `import.meta.resolve()` of literals so that a file tracer (@vercel/nft:
 * Next.js standalone output, Vercel, Nitro) copies the entries and what they import; a relative
 * specifier resolves without looking at the disk, so this is the same path `join()` would give.
 */
function installedEntry(kind: WorkerEntryKind): string | undefined {
  if (typeof import.meta.resolve !== 'function') return undefined;
  try {
    const url =
      kind === 'pool'
        ? import.meta.resolve('../worker/pool-entry.js')
        : import.meta.resolve('../worker/process-entry.js');
    // A loader's resolve hook (tsx's) may answer the .ts file beside a missing .js: not ours.
    return url.startsWith('file:') && url.endsWith(`/${kind}-entry.js`) ? fileURLToPath(url) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The entry file of `kind`, as a path.
 * @throws {WorkerEntryNotFoundError} when no candidate exists.
 */
export function workerEntryPath(kind: WorkerEntryKind): string {
  let path = found.get(kind);
  if (path === undefined) {
    const searched = candidates(kind);
    path = searched.find((file) => existsSync(file));
    if (path === undefined) throw new WorkerEntryNotFoundError(kind, searched);
    if (kind === 'pool' && isBundled(path)) assertTinypoolEntries(dirname(path));
    found.set(kind, path);
  }
  return path;
}

function isBundled(path: string): boolean {
  return basename(path).startsWith(BUNDLED_ENTRY_NAMES.pool);
}

// A bundle that carries tinypool's code must carry its entries too: tinypool starts its workers from
// `entry/worker.js` and `entry/process.js` beside its own code, which in a bundle is this folder.
function assertTinypoolEntries(dir: string): void {
  const missing = ['worker.js', 'process.js']
    .map((file) => join(dir, 'entry', file))
    .filter((f) => !existsSync(f));
  if (missing.length > 0) throw new WorkerEntryNotFoundError('pool', missing);
}

/** The entry file of `kind`, as a `file:` URL (a new object each call). */
export function workerEntryUrl(kind: WorkerEntryKind): URL {
  const path = workerEntryPath(kind);
  let href = entryHrefs.get(path);
  if (href === undefined) {
    href = pathToFileURL(path).href;
    entryHrefs.set(path, href);
  }
  return new URL(href);
}

// Each entry's path as a URL, worked out once (`pathToFileURL` costs more than parsing its result).
const entryHrefs = new Map<string, string>();
