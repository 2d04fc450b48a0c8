/**
 * The real input of the `workloads` suite: `.js` files of the repository's installed packages,
 * picked deterministically (ordered by a hash of their path inside the package store, so the pick
 * spreads over every package), skipping files over `maxFileBytes`, until `maxFiles` or `totalBytes` is reached.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One picked file. */
export interface WorkloadFile {
  readonly path: string;
  readonly bytes: number;
}

/** The package store of the repository's install (pnpm's `node_modules/.pnpm`). */
export function packageStore(): string {
  return fileURLToPath(new URL('../../../node_modules/.pnpm/', import.meta.url));
}

/** Every `.js` file under `dir`, symlinks not followed (each package is walked once). */
function walk(dir: string, out: string[]): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, out);
    else if (entry.isFile() && entry.name.endsWith('.js')) out.push(path);
  }
}

/**
 * Picks up to `maxFiles` files and `totalBytes` (none larger than `maxFileBytes`), in path order.
 * @param root - where to look; the repository's package store by default
 */
export function pickFiles(
  totalBytes: number,
  maxFileBytes: number,
  maxFiles: number,
  root = packageStore(),
): WorkloadFile[] {
  const all: string[] = [];
  walk(root, all);
  const keyed = all.map((path) => ({
    path,
    key: createHash('sha1').update(relative(root, path)).digest('hex'),
  }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const picked: WorkloadFile[] = [];
  let total = 0;
  for (const { path } of keyed) {
    if (picked.length >= maxFiles) break;
    const bytes = statSync(path).size;
    if (bytes === 0 || bytes > maxFileBytes || total + bytes > totalBytes) continue;
    picked.push({ path, bytes });
    total += bytes;
  }
  return picked.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The largest `.js` file of the store that is at most `maxBytes` (the big-AST case's input). */
export function largestFile(maxBytes: number, root = packageStore()): WorkloadFile {
  const all: string[] = [];
  walk(root, all);
  let best: WorkloadFile | undefined;
  for (const path of all.sort()) {
    const bytes = statSync(path).size;
    if (bytes <= maxBytes && (!best || bytes > best.bytes)) best = { path, bytes };
  }
  if (!best) throw new Error(`no .js file under ${root}`);
  return best;
}

/** The files' contents, read once in the parent (the jobs whose task gets the bytes or text). */
export function readAll(files: readonly WorkloadFile[]): { buffers: Buffer[]; texts: string[] } {
  const buffers = files.map((f) => readFileSync(f.path));
  return { buffers, texts: buffers.map((b) => b.toString('utf8')) };
}
