// Every example the site shows is a file under examples/, included into its page. Each one runs
// here as a user would run it, in a fresh project outside the repository, and must print exactly
// what its `// Output:` block says.
import { execFile, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { characters, compiledName, findExamples, isTypeScript, matchLines, nodeAtLeast } from './examples.ts';
import { copyInto, DOCS, makeProject, type Project } from './project.ts';

const run = promisify(execFile);
const examples = findExamples(join(DOCS, 'examples'));
const hasPython = spawnSync('python3', ['--version']).status === 0;
let project: Project;
let root: string;

beforeAll(async () => {
  project = makeProject('module');
  root = copyInto(project, 'examples');
  // Compile the TypeScript examples that are not run as written (see Example.asWritten).
  const { transform } = await import('esbuild');
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter(
    (f) => isTypeScript(f) && !f.startsWith('getting-started'),
  );
  await Promise.all(
    files.map(async (f) => {
      const { code } = await transform(readFileSync(join(root, f), 'utf8'), {
        loader: 'ts',
        format: 'esm',
        target: 'node20',
        sourcefile: f,
      });
      writeFileSync(join(root, compiledName(f)), code);
    }),
  );
});
afterAll(() => project?.dispose());

describe.concurrent('examples', () => {
  it('finds the examples', () => {
    expect(examples.length).toBeGreaterThan(10);
  });
  for (const ex of examples) {
    const skip =
      (ex.minNode !== undefined && !nodeAtLeast(ex.minNode)) || (ex.command === 'python3' && !hasPython);
    it.skipIf(skip)(ex.file, { timeout: 60_000 }, async () => {
      const { stdout } = await run(ex.command === 'node' ? process.execPath : 'python3', ex.argv, {
        cwd: join(root, ex.file, '..'),
        timeout: 50_000,
        env: { ...process.env, NODE_OPTIONS: '', FORCE_COLOR: '0', NO_COLOR: '1' },
      }).catch((err) => {
        throw new Error(`${ex.file} failed:\n${err.stdout}\n${err.stderr}`);
      });
      const lines = stdout.replace(/\n$/, '').split('\n');
      if (ex.interleaved) {
        expect(characters(lines)).toBe(characters(ex.output));
      } else if (!matchLines(lines, ex.output, ex.anyOrder)) {
        expect(lines.join('\n')).toBe(ex.output.join('\n'));
      }
    });
  }
});
