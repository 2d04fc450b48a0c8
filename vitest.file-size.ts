// The guard every package's `test/file-size.test.ts` runs on its own `src/`: each source file stays
// under a line limit, so that it is read in one sitting and holds one responsibility. Files were
// split once and grew back; the guard fails as soon as one crosses the line again. Split the file
// by what it owns (a class or a cohesive group of functions to a file of its own, with a header
// saying what it owns) rather than raising the limit.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** Limits of one package's guard. */
export interface FileSizeLimits {
  /** The most lines a file under `src/` may have. */
  maxLines: number;
  /** At least this many files must be found, so a wrong path cannot pass by finding none. */
  minFiles: number;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

function lineCount(text: string): number {
  return text.endsWith('\n') ? text.split('\n').length - 1 : text.split('\n').length;
}

/**
 * A synchronous `stat` (or a callback one) in the non-bigint form fills the one stat array that
 * Node 20 and 22's `fs.realpathSync` reads back by mistake: after such a stat of a socket or pipe
 * it stops resolving symlinks, and the program's later imports of packages reached through one
 * (pnpm's layout) fail to find their dependencies (nodejs/node#51142). The bigint form and
 * `fs/promises` fill arrays of their own; a recursive `rmSync` walks the folder with `lstatSync`.
 * Returns the offending calls of `text`.
 */
export function sharedArrayStats(text: string): string[] {
  const sync = [...text.matchAll(/\b[lf]?statSync\((?:[^()]|\([^()]*\))*\)/g)]
    .map((m) => m[0])
    .filter((call) => !/bigint:\s*true/.test(call));
  const callbacks = [...text.matchAll(/import\s*\{[^}]*\b[lf]?stat\b[^}]*\}\s*from\s*'(?:node:)?fs'/g)].map(
    (m) => m[0],
  );
  const removals = [...text.matchAll(/\brmSync\([^)]*recursive[^)]*\)/g)].map((m) => m[0]);
  return [...sync, ...callbacks, ...removals];
}

/** Registers the test that every `.ts` file under `src` (a directory URL) has at most `maxLines` lines. */
export function describeFileSizeGuard(src: URL, { maxLines, minFiles }: FileSizeLimits): void {
  const root = fileURLToPath(src);
  describe('source file size', () => {
    it(`every file under src/ has at most ${maxLines} lines`, () => {
      const files = sourceFiles(root);
      expect(files.length).toBeGreaterThanOrEqual(minFiles); // the walk found the tree
      const tooLong = files
        .map((f) => ({ file: relative(root, f), lines: lineCount(readFileSync(f, 'utf8')) }))
        .filter((f) => f.lines > maxLines)
        .map((f) => `${f.file}: ${f.lines} lines`);
      expect(tooLong, 'split these by responsibility (see the comment atop vitest.file-size.ts)').toEqual([]);
    });
    it('no stat fills the stat array fs.realpathSync reads (use { bigint: true } or fs/promises)', () => {
      const found = sourceFiles(root).flatMap((f) =>
        sharedArrayStats(readFileSync(f, 'utf8')).map((call) => `${relative(root, f)}: ${call}`),
      );
      expect(found, 'see sharedArrayStats in vitest.file-size.ts').toEqual([]);
    });
  });
}
