// What the consumer tests share: where the repository and the packed project are, and how a
// README's install line and example are read.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** The published packages, in dependency order. */
export const PACKAGES = [
  { name: '@multiproc/shared', dir: 'packages/shared' },
  { name: '@multiproc/ipc', dir: 'packages/ipc' },
  { name: '@multiproc/core', dir: 'packages/core' },
  { name: '@multiproc/multiproc', dir: 'packages/multiproc' },
  { name: '@multiproc/bullmq', dir: 'packages/bullmq', readmeNeedsRedis: true },
] as const;

/** A Node binary to run scenarios on; `reason` says why it is missing when `path` is empty. */
export interface NodeBinary {
  readonly line: number;
  readonly label: string;
  readonly path: string;
  readonly reason?: string;
}

/** What the global setup provides. */
export interface Provided {
  /** A temporary folder outside the repository, holding the tarballs and the project. */
  readonly root: string;
  /** The npm project (`npm init -y`) the tarballs are installed into. */
  readonly app: string;
  readonly tarballs: string[];
  readonly appPackageJson: string;
  readonly nodes: NodeBinary[];
}

declare module 'vitest' {
  export interface ProvidedContext {
    consumer: Provided;
  }
}

export const consumer = (): Provided => inject('consumer');

/** A fresh folder inside the project (so `node_modules` resolves), holding the given files. */
export function scratch(files: Record<string, string>): string {
  const dir = mkdtempSync(join(consumer().app, 'case-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** Copies fixtures into a fresh folder of the project. */
export function withFixtures(...names: string[]): string {
  const dir = mkdtempSync(join(consumer().app, 'case-'));
  for (const name of names) cpSync(join(FIXTURES, name), join(dir, name));
  return dir;
}

/** A README's first ```sh block and first code block after it, with the file name and run command. */
export interface ReadmeExample {
  /** Packages the install line adds (`npm install a b`, `npm i a`, `pnpm add a`). */
  readonly installs: string[];
  /** Other commands of the install block, such as `npm pkg set type=module`. */
  readonly setup: string[];
  readonly file: string;
  readonly run: string[];
  readonly code: string;
  /** The bare packages the example imports (not `node:` builtins). */
  readonly imports: string[];
  /** What the example prints: the `// …` comments that end its `console.log(…)` lines, in order. */
  readonly expected: string[];
}

const INSTALL = /^(?:npm (?:install|i)|pnpm add)\s+(.+)$/;

/**
 * Reads the examples of a README: every ```ts/```js block whose first line says
 * `// <file>: run with \`<command>\``, with the install line of its first ```sh block.
 */
export function readmeExamples(readmePath: string): ReadmeExample[] {
  const text = readFileSync(readmePath, 'utf8');
  const sh = /```sh\n([\s\S]*?)```/.exec(text)?.[1] ?? '';
  const lines = sh
    .split('\n')
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter(Boolean);
  const installs = lines.flatMap(
    (l) =>
      INSTALL.exec(l)?.[1]
        ?.split(/\s+/)
        .filter((a) => !a.startsWith('-')) ?? [],
  );
  const setup = lines.filter((l) => !INSTALL.test(l));
  const examples: ReadmeExample[] = [];
  for (const [, code] of text.matchAll(/```(?:ts|js)\n([\s\S]*?)```/g)) {
    const head = /^\/\/ (\S+): run with `([^`]+)`/.exec(code!);
    if (!head) continue;
    const imports = [...code!.matchAll(/(?:from |require\()'([^']+)'/g)]
      .map((m) => m[1]!)
      .filter((s) => !s.startsWith('node:') && !s.startsWith('.'))
      .map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!));
    const expected = [...code!.matchAll(/console\.log\(.*\/\/ (.+)$/gm)].map((m) => m[1]!.trim());
    examples.push({
      installs,
      setup,
      file: head[1]!,
      run: head[2]!.split(' '),
      code: code!,
      imports: [...new Set(imports)],
      expected,
    });
  }
  if (examples.length === 0) {
    throw new Error(`${readmePath}: no example whose first line is "// <file>: run with \`<command>\`"`);
  }
  return examples;
}

/** A README's first example (see {@link readmeExamples}). */
export const readmeExample = (readmePath: string): ReadmeExample => readmeExamples(readmePath)[0]!;

/** stderr without the notes npx and Node print on their own (installing a package, experimental warnings). */
export function userStderr(stderr: string): string {
  return stderr
    .split('\n')
    .filter((line) => !/^npm (warn|notice)|ExperimentalWarning|--trace-warnings/.test(line))
    .join('\n')
    .trim();
}
