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

/**
 * The example with each `console.log(...); // value` line reporting what it prints to
 * `globalThis.__log(comment, site, ...args)`, so the run can hold the output to the comment.
 */
export function instrument(js: string): string {
  let site = 0;
  return js
    .split('\n')
    .map((line) => {
      const m = /^(.*?)console\.log\((.*)\/\/\s*(.+)$/.exec(line);
      if (!m || m[2]?.includes('console.log(')) return line;
      site += 1;
      return `${m[1]}globalThis.__log(${JSON.stringify(m[3])}, ${site}, ${m[2]}// ${m[3]}`;
    })
    .join('\n');
}

/** `comment` cut where its explanation starts (`: why`, ` (why)`, `, or ...`), at bracket depth 0. */
function valuePart(comment: string): string {
  let depth = 0;
  for (let i = 0; i < comment.length; i++) {
    const c = comment[i] as string;
    if (depth === 0 && /^(?:: |, or |, until | on | in | or | \()/.test(comment.slice(i)))
      return comment.slice(0, i);
    if ('[{(<'.includes(c)) depth++;
    else if (']})>'.includes(c)) depth--;
  }
  return comment;
}

const squeeze = (s: string) => s.replace(/[\s'"`,]/g, '');

/**
 * What a `// comment` after a `console.log` says it prints, or undefined when it describes it in
 * words ("a socket path in the temp directory"): two lowercase words in a row (a quoted string counts as
 * one; `true false` is two values).
 * `1, then 2` is the output of two calls at one place.
 */
export function expectedOf(comment: string): string | undefined {
  const value = valuePart(comment).replace(/, then /g, ', ');
  const words = value.replace(/'[^']*'|"[^"]*"/g, 'x').split(' ');
  const word = (w = '') => /^[a-z]+$/.test(w) && !['true', 'false', 'null', 'undefined'].includes(w);
  return words.some((w, i) => word(w) && word(words[i + 1])) ? undefined : value;
}

/** `where: expected, printed` for each `console.log` whose output differs from its comment. */
export function misprints(
  where: string,
  sites: Record<string, { comment: string; out: string[] }>,
): string[] {
  return Object.values(sites).flatMap(({ comment, out }) => {
    const expected = expectedOf(comment);
    const printed = out.join(', ');
    return expected === undefined || squeeze(expected) === squeeze(printed)
      ? []
      : [`${where}: the comment says ${comment}, it printed ${printed}`];
  });
}
