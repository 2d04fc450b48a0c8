// Every example the site shows is a file under examples/, included into its page. Each one runs
// here as a user would run it, in a fresh project outside the repository, and must print exactly
// what its `// Output:` block says.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  characters,
  compiledName,
  findExamples,
  isTypeScript,
  loadsTypeScript,
  matchLines,
  nodeAtLeast,
  relativeImports,
} from './examples.ts';
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

  // The run below has every TypeScript file compiled beside it, which a reader who copies the
  // pages does not: an example whose command loads no TypeScript must import only files the
  // site shows as they are (a `node --test x.mjs` importing './tasks.js' when the page shows tasks.ts fails).
  it('an example run without tsx imports only files the pages show under that name', () => {
    const source = join(DOCS, 'examples');
    const missing = examples
      .filter((ex) => ex.command === 'node' && !loadsTypeScript(ex))
      .flatMap((ex) => {
        const text = readFileSync(join(source, ex.file), 'utf8');
        return relativeImports(text)
          .filter((spec) => !existsSync(join(source, dirname(ex.file), spec)))
          .map((spec) => `${ex.file} (run with \`node ${ex.argv.join(' ')}\`) imports ${spec}`);
      });
    expect(missing).toEqual([]);
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
