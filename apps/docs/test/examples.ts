/** Reading the example files: how each one is run and what it must print. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join, relative } from 'node:path';

export interface Example {
  /** Path relative to the examples folder, such as `pool/map.ts`. */
  readonly file: string;
  /** What runs it: `node`, or `python3` for the Python programs shown beside ours. */
  readonly command: 'node' | 'python3';
  /** The command line after the command, with the file last. */
  readonly argv: string[];
  /**
   * Whether the test runs it exactly as its page says (the getting-started examples, whose point
   * is how to run them). The others are TypeScript compiled once with esbuild, as tsx would, and
   * run with plain `node`: same code, without paying tsx's start-up in every worker.
   */
  readonly asWritten: boolean;
  /** The lowest Node version it runs on, from a `// needs: node >= 22.18` line. */
  readonly minNode: [number, number] | undefined;
  /** The lines it must print; `…` in a line matches anything. */
  readonly output: string[];
  /** Whether the lines may come in any order (`// Output (any order):`). */
  readonly anyOrder: boolean;
  /**
   * Whether lines may even interleave (`# Output (may interleave):`, Python's Ans6): then only
   * the characters printed are compared, not where the line breaks fall.
   */
  readonly interleaved: boolean;
}

const SOURCE = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '.py']);

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/** The argv for a `// run:` line: `npx tsx x.ts`, `node [flags] x.mjs`; by extension otherwise. */
function argvOf(text: string, file: string): string[] {
  const run = /^\/\/ .*?run with `([^`]+)`/m.exec(text)?.[1]?.split(/\s+/);
  const path = basename(file);
  if (run?.[0] === 'npx' && run[1] === 'tsx') return ['--import', 'tsx', path];
  if (run?.[0] === 'node') return [...run.slice(1, -1), path];
  return isTypeScript(file) ? ['--import', 'tsx', path] : [path];
}

/** Whether a file is TypeScript. */
export function isTypeScript(file: string): boolean {
  return /\.[mc]?ts$/.test(file);
}

/** The JavaScript file esbuild writes for a TypeScript one: `.ts` -> `.js`, `.mts` -> `.mjs`. */
export function compiledName(file: string): string {
  return file.replace(/\.([mc]?)ts$/, '.$1js');
}

/** Every runnable example (a file with an `// Output` block) under `root`. */
export function findExamples(root: string): Example[] {
  const out: Example[] = [];
  for (const path of walk(root).sort()) {
    if (!SOURCE.has(extname(path))) continue;
    const text = readFileSync(path, 'utf8');
    const python = path.endsWith('.py');
    const comment = python ? '#' : '//';
    const lines = text.split('\n');
    const start = lines.findIndex((l) =>
      [':', ' (any order):', ' (may interleave):'].some((tail) => l === `${comment} Output${tail}`),
    );
    if (start < 0) continue;
    const output: string[] = [];
    for (const line of lines.slice(start + 1)) {
      if (!line.startsWith(comment)) break;
      output.push(line.slice(comment.length).replace(/^ /, ''));
    }
    const needs = /^\/\/ needs: node >= (\d+)\.(\d+)/m.exec(text);
    const file = relative(root, path);
    const asWritten = file.startsWith('getting-started/');
    out.push({
      file,
      asWritten,
      command: python ? 'python3' : 'node',
      argv: python
        ? [basename(file)]
        : asWritten || !isTypeScript(file)
          ? argvOf(text, file)
          : [basename(compiledName(file))],
      minNode: needs ? [Number(needs[1]), Number(needs[2])] : undefined,
      output,
      anyOrder: lines[start]!.includes('any order'),
      interleaved: lines[start]!.includes('interleave'),
    });
  }
  return out;
}

/** The relative specifiers a module imports (`import ... from './x.js'`, `import('./x.js')`, `require('./x')`). */
export function relativeImports(text: string): string[] {
  const found = text.matchAll(
    /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm,
  );
  return [...found].map((m) => m[1]!);
}

/**
 * Whether the example's own command loads TypeScript for it (`npx tsx`, `node --import tsx`): only
 * then may a `'./tasks.js'` import find a `tasks.ts` (and the TypeScript examples the test compiles
 * stand for `npx tsx` or `tsc` too).
 */
export function loadsTypeScript(ex: Example): boolean {
  return (
    (isTypeScript(ex.file) && !ex.asWritten) ||
    ex.argv.some((a, i) => a === 'tsx' && ex.argv[i - 1] === '--import')
  );
}

/** Whether this Node is at least `[major, minor]`. */
export function nodeAtLeast([major, minor]: [number, number]): boolean {
  const [m, n] = process.versions.node.split('.').map(Number) as [number, number];
  return m > major || (m === major && n >= minor);
}

/** The characters of some lines, sorted, without line breaks: what interleaving cannot change. */
export function characters(lines: string[]): string {
  return [...lines.join('')].sort().join('');
}

/** Whether `actual` (printed lines) matches `expected`, `…` matching any text within a line. */
export function matchLines(actual: string[], expected: string[], anyOrder: boolean): boolean {
  const a = anyOrder ? [...actual].sort() : actual;
  const e = anyOrder ? [...expected].sort() : expected;
  if (a.length !== e.length) return false;
  const pattern = (line: string) =>
    new RegExp(
      `^${line
        .split('…')
        .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
    );
  if (!anyOrder) return e.every((line, i) => pattern(line).test(a[i]!));
  // With wildcards and any order, match greedily against the unused lines.
  const left = [...actual];
  return expected.every((line) => {
    const i = left.findIndex((l) => pattern(line).test(l));
    return i >= 0 && left.splice(i, 1).length === 1;
  });
}
