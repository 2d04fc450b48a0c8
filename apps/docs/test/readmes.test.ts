// The root README's and every package README's example, pasted as is into a fresh project outside
// the repository and run the way its first comment says; it must print what its comments say
// (the `// ...` after each console.log), and the README must link to the docs pages.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, type Project, REPO } from './project.ts';

const READMES = [
  'README.md',
  'packages/multiproc/README.md',
  'packages/core/README.md',
  'packages/ipc/README.md',
  'packages/shared/README.md',
];

function exampleOf(readme: string): { lang: string; code: string } {
  const m = /```(ts|js)\n([\s\S]*?)```/.exec(readme);
  if (!m) throw new Error('no ts/js example');
  return { lang: m[1]!, code: m[2]! };
}

/** What the example says it prints: the comment after each console.log line. */
function expectedOutput(code: string): string[] {
  return code
    .split('\n')
    .filter((l) => l.includes('console.log('))
    .map((l) => /\/\/ (.*)$/.exec(l)?.[1]?.trim() ?? '');
}

let project: Project;
beforeAll(() => {
  project = makeProject('module');
});
afterAll(() => project?.dispose());

describe.concurrent('READMEs', () => {
  for (const file of READMES) {
    it(`${file}: the example runs as pasted`, { timeout: 60_000 }, async () => {
      const readme = readFileSync(join(REPO, file), 'utf8');
      const { lang, code } = exampleOf(readme);
      const name = `${file.replaceAll('/', '-').replace(/\.md$/, '')}.${lang === 'ts' ? 'ts' : 'mjs'}`;
      writeFileSync(join(project.dir, name), code);
      const argv = lang === 'ts' ? ['--import', 'tsx', name] : [name];
      const { stdout } = await promisify(execFile)(process.execPath, argv, {
        cwd: project.dir,
        timeout: 50_000,
      });
      expect(stdout.trim().split('\n')).toEqual(expectedOutput(code));
    });

    it(`${file}: links to the docs pages`, () => {
      expect(readFileSync(join(REPO, file), 'utf8')).toMatch(/apps\/docs\/(guide|packages)\/[\w-]+\.md/);
    });
  }
});
