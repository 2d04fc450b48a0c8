// What Getting started says happens on one Node line and not on others, checked where it applies:
// under Node's own type stripping an example importing './tasks.js' fails and runs once the import
// names './tasks.ts'; on Node 20, tsx running CommonJS TypeScript that imports multiproc fails
// with the error the page quotes; `await using` compiled by tsc runs on Node 20 for a target below
// ESNext and is a SyntaxError there for ESNext, as the page says.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findExamples, matchLines, nodeAtLeast } from './examples.ts';
import { copyInto, DOCS, makeProject, type Project } from './project.ts';

const run = promisify(execFile);
const page = readFileSync(join(DOCS, 'guide/getting-started.md'), 'utf8');
const ENV = { ...process.env, NODE_OPTIONS: '', FORCE_COLOR: '0', NO_COLOR: '1' };

/** Runs `node ...args` in `cwd`; resolves with its outcome whether it fails or not. */
async function node(args: string[], cwd: string) {
  try {
    const { stdout, stderr } = await run(process.execPath, args, { cwd, env: ENV, timeout: 50_000 });
    return { ok: true, stdout, stderr };
  } catch (error) {
    const e = error as { stdout: string; stderr: string };
    return { ok: false, stdout: e.stdout, stderr: e.stderr };
  }
}

describe.skipIf(!nodeAtLeast([22, 18]))("Node's own type stripping", () => {
  let project: Project;
  let pool: string;
  beforeAll(() => {
    project = makeProject('module');
    pool = copyInto(project, 'examples/pool', 'pool');
  });
  afterAll(() => project?.dispose());

  it('says relative imports name the .ts file, where it says what else changes', () => {
    const section = page.slice(page.indexOf("### Node's own type stripping"), page.indexOf('## Testing'));
    expect(section).toMatch(/from\s+'\.\/tasks\.ts'/);
    expect(section).toMatch(/ERR_MODULE_NOT_FOUND/);
  });

  it("a Pool example importing './tasks.js' fails as the page says, and runs with './tasks.ts'", {
    timeout: 120_000,
  }, async () => {
    const asShipped = await node(['methods.ts'], pool);
    expect(asShipped.ok).toBe(false);
    expect(asShipped.stderr).toMatch(/ERR_MODULE_NOT_FOUND/);
    const file = join(pool, 'methods.ts');
    writeFileSync(file, readFileSync(file, 'utf8').replace("from './tasks.js'", "from './tasks.ts'"));
    const fixed = await node(['methods.ts'], pool);
    expect(fixed.stderr).toBe('');
    const example = findExamples(join(DOCS, 'examples')).find((e) => e.file === join('pool', 'methods.ts'))!;
    const lines = fixed.stdout.replace(/\n$/, '').split('\n');
    if (!matchLines(lines, example.output, example.anyOrder)) {
      expect(lines.join('\n')).toBe(example.output.join('\n'));
    }
  });
});

describe.skipIf(nodeAtLeast([22, 0]))('tsx and CommonJS TypeScript on Node 20', () => {
  let project: Project;
  beforeAll(() => {
    project = makeProject('commonjs');
  });
  afterAll(() => project?.dispose());

  it('fails with the error the page quotes', { timeout: 60_000 }, async () => {
    const quoted =
      /fails with `(Error: request for '@multiproc\/\w+' is not in cache)` \(code\s+`(\w+)`\)/.exec(
        page.replace(/\n/g, ' '),
      );
    expect(quoted).not.toBeNull();
    writeFileSync(
      join(project.dir, 'square.cts'),
      [
        "import { pathToFileURL } from 'node:url';",
        "import { defineTasks, isMain, Pool } from '@multiproc/multiproc';",
        'export const tasks = defineTasks(pathToFileURL(__filename).href, { square: (x: number) => x * x });',
        'if (isMain()) {',
        '  const pool = new Pool();',
        '  pool.map(tasks.square, [1, 2, 3]).then(console.log).finally(() => pool.terminate());',
        '}',
      ].join('\n'),
    );
    const ran = await node(['--import', 'tsx', 'square.cts'], project.dir);
    expect(ran.ok).toBe(false);
    expect(ran.stderr).toContain(quoted![1]);
    expect(ran.stderr).toContain(`code: '${quoted![2]}'`);
  });
});

// `await using` compiled by tsc: TypeScript lowers it for a target below ESNext and leaves it for
// ESNext (what `tsc --init` writes), which only Node 24 parses. The page says which.
describe('`await using` compiled by tsc', () => {
  let project: Project;
  let dir: string;
  let expected: string[];
  beforeAll(() => {
    project = makeProject('module');
    dir = copyInto(project, 'examples/getting-started', 'getting-started');
    const source = readFileSync(join(dir, 'square.using.ts'), 'utf8');
    for (const target of ['ES2022', 'ESNext'] as const) {
      const { outputText } = ts.transpileModule(source, {
        compilerOptions: { target: ts.ScriptTarget[target], module: ts.ModuleKind.ESNext },
        fileName: 'square.using.ts',
      });
      writeFileSync(join(dir, `square.${target.toLowerCase()}.js`), outputText);
    }
    const example = findExamples(join(DOCS, 'examples')).find(
      (e) => e.file === join('getting-started', 'square.using.ts'),
    )!;
    expected = example.output;
  });
  afterAll(() => project?.dispose());

  const section = () =>
    page.slice(page.indexOf('### `with Pool() as pool:` in JavaScript'), page.indexOf('## Which file'));

  it('says the target decides, and quotes the error of the other', () => {
    expect(section()).toMatch(/"target"[\s\S]*below `esnext`[\s\S]*`"es2022"`/);
    expect(section()).toMatch(/`tsc --init`/);
    expect(section()).toContain("SyntaxError: Unexpected identifier 'pool'");
  });

  it('target es2022 runs here, as the page says for every Node line', { timeout: 60_000 }, async () => {
    const ran = await node(['square.es2022.js'], dir);
    expect(ran.stderr).toBe('');
    expect(ran.stdout.replace(/\n$/, '').split('\n')).toEqual(expected);
  });

  it('target esnext fails before Node 24 with the quoted error, and runs on 24', {
    timeout: 60_000,
  }, async () => {
    const ran = await node(['square.esnext.js'], dir);
    if (nodeAtLeast([24, 0])) {
      expect(ran.stdout.replace(/\n$/, '').split('\n')).toEqual(expected);
    } else {
      expect(ran.ok).toBe(false);
      expect(ran.stderr).toContain("SyntaxError: Unexpected identifier 'pool'");
    }
  });
});
