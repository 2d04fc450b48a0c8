/**
 * Finds every `@example` in the doc comments of the published packages' sources and turns each
 * into a module a user could have pasted: the names it uses from its own package imported from
 * that package's npm name (unless it imports them itself), and `tasks` (a module's
 * `defineTasks()` result) and `pool` (a `Pool`) given, as the API reference says.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO } from './project.ts';

/** Folder under `packages/` -> npm name. */
export const PACKAGE_NAMES: Record<string, string> = {
  shared: '@multiproc/shared',
  ipc: '@multiproc/ipc',
  core: '@multiproc/core',
  multiproc: '@multiproc/multiproc',
  bullmq: '@multiproc/bullmq',
};

const UMBRELLA = '@multiproc/multiproc';

export interface DocExample {
  /** `packages/<pkg>/src/<file>.ts:<line>`, the line of the `@example` tag. */
  readonly where: string;
  readonly packageName: string;
  readonly code: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'))
    .filter((f) => !f.split(/[\\/]/).includes('internal'))
    .map((f) => join(dir, f));
}

/** The `@example` blocks of one source file, fences and leading ` * ` removed. */
export function examplesIn(text: string): { line: number; code: string }[] {
  const found: { line: number; code: string }[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*\*\s*@example\b/.test(lines[i] ?? '')) continue;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const l = lines[j] ?? '';
      if (/^\s*\*\//.test(l) || /^\s*\*\s*@\w/.test(l)) break;
      body.push(l.replace(/^\s*\* ?/, ''));
    }
    const code = body
      .join('\n')
      .replace(/^\s*```\w*\n|\n?```\s*$/g, '')
      .trim();
    if (code) found.push({ line: i + 1, code });
    i = j - 1;
  }
  return found;
}

export function findDocExamples(): DocExample[] {
  return Object.entries(PACKAGE_NAMES).flatMap(([folder, packageName]) =>
    sourceFiles(join(REPO, 'packages', folder, 'src')).flatMap((file) =>
      examplesIn(readFileSync(file, 'utf8')).map(({ line, code }) => ({
        where: `${relative(REPO, file)}:${line}`,
        packageName,
        code,
      })),
    ),
  );
}

const identifiers = (code: string) => new Set(code.match(/(?<![\w$.])[A-Za-z_$][\w$]*/g) ?? []);

function declared(code: string): Set<string> {
  const names = new Set<string>();
  for (const m of code.matchAll(/\b(?:const|let|var|function\*?|class)\s+([A-Za-z_$][\w$]*)/g))
    names.add(m[1]!);
  for (const m of code.matchAll(/\b(?:const|let|var|import(?:\s+type)?)\s*[[{]([^\]}]*)[\]}]/g))
    for (const n of m[1]!.matchAll(/(?:\bas\s+)?([A-Za-z_$][\w$]*)\s*(?=,|$|:|=)/g)) names.add(n[1]!);
  for (const m of code.matchAll(/\bimport\s+(?:\*\s+as\s+)?([A-Za-z_$][\w$]*)\s+from/g)) names.add(m[1]!);
  for (const m of code.matchAll(/\bawait\s+using\s+([A-Za-z_$][\w$]*)/g)) names.add(m[1]!);
  return names;
}

/** True when the example runs here: it starts no worker and builds no bundle (those are type-checked only). */
export function runsHere(code: string): boolean {
  return !/\btasks\b|\bpool\b|\bPool\b|\bProcess\b|\bManager\b|getContext|setStartMethod|multiproc\/bullmq|\bctx\.|from 'esbuild'/.test(
    code,
  );
}

/**
 * The example as a module: imports for the names it uses without declaring or importing (`exported`:
 * npm name -> export names), then the example. `tasksModule` is the relative specifier of the `tasks` fixture.
 */
export function asModule(
  ex: DocExample,
  exported: Readonly<Record<string, readonly string[]>>,
  tasksModule: string,
): string {
  const used = identifiers(ex.code);
  const own = declared(ex.code);
  const wanted = (from: string, not: readonly string[] = []) =>
    (exported[from] ?? []).filter((n) => n !== 'default' && used.has(n) && !own.has(n) && !not.includes(n));
  // Its own package first; a name of another package (a Queue in a codec example) from the umbrella.
  const names = wanted(ex.packageName);
  const more = ex.packageName === UMBRELLA ? [] : wanted(UMBRELLA, names);
  const head: string[] = [];
  if (names.length > 0) head.push(`import { ${names.join(', ')} } from '${ex.packageName}';`);
  if (more.length > 0) head.push(`import { ${more.join(', ')} } from '${UMBRELLA}';`);
  if (used.has('tasks') && !own.has('tasks')) head.push(`import { tasks } from '${tasksModule}';`);
  if (used.has('pool') && !own.has('pool')) {
    if (!names.includes('Pool') && !more.includes('Pool') && !own.has('Pool'))
      head.push(`import { Pool } from '${UMBRELLA}';`);
    head.push('declare const pool: Pool;');
  }
  return `// ${ex.where}\n${head.join('\n')}\n${ex.code}\nexport {};\n`;
}
