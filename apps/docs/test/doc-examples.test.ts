// Every `@example` in the published packages' doc comments is type-checked against the built
// packages, as a user's module that imports from the npm name, and the ones that start no worker
// are run (examples with workers are run by api-examples.test.ts for Pool and the queues, and by
// the packages' own tests). A fragment (an undefined receiver, a `...`) fails here.
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asModule, type DocExample, findDocExamples, PACKAGE_NAMES, runsHere } from './doc-examples.ts';
import { DOCS, makeProject, type Project, REPO } from './project.ts';

const examples = findDocExamples();
// Known type errors of the API (not of its examples), each to be removed with its fix.
const KNOWN: RegExp[] = [];
const fileOf = (i: number) => `ex${String(i).padStart(3, '0')}`;
let project: Project;
let dir: string;

beforeAll(async () => {
  project = makeProject('module');
  symlinkSync(join(REPO, 'packages/bullmq'), join(project.dir, 'node_modules/@multiproc/bullmq'), 'dir');
  dir = join(project.dir, 'doc-examples');
  mkdirSync(dir);
  cpSync(join(DOCS, 'test/fixtures/jsdoc-tasks.ts'), join(dir, 'tasks.ts'));
  const exported: Record<string, string[]> = {};
  for (const name of Object.values(PACKAGE_NAMES)) exported[name] = Object.keys(await import(name));
  examples.forEach((ex, i) => {
    writeFileSync(join(dir, `${fileOf(i)}.ts`), asModule(ex, exported, './tasks.js'));
  });
});
afterAll(() => project?.dispose());

/** Type-checks every example and writes the JavaScript beside it; returns `where: message` per error. */
function compile(): string[] {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2023.d.ts', 'lib.esnext.disposable.d.ts'],
    types: ['node'],
    typeRoots: [join(REPO, 'node_modules/@types')],
    strict: true,
    skipLibCheck: true,
    noEmitOnError: false,
    outDir: dir,
  };
  const files = [join(dir, 'tasks.ts'), ...examples.map((_, i) => join(dir, `${fileOf(i)}.ts`))];
  const program = ts.createProgram(files, options);
  program.emit();
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (!d.file || d.start === undefined) return text;
    const index = Number(/ex(\d+)\.ts$/.exec(d.file.fileName)?.[1]);
    const where = Number.isNaN(index) ? d.file.fileName : (examples[index] as DocExample).where;
    const { line } = d.file.getLineAndCharacterOfPosition(d.start);
    return `${where} (line ${line} of the module): ${text}`;
  });
}

// Runs each example in turn in one process; an example fails if it throws, rejects or takes 5 s.
// What each prints is kept in output.json, to compare with its \`// prints\` comments by eye.
const RUNNER = `
import { writeFileSync } from 'node:fs';
import { format } from 'node:util';
const failed = [];
const output = {};
for (const [file, where] of JSON.parse(process.argv[2])) {
  let timer;
  const lines = (output[where] = []);
  console.log = (...args) => lines.push(format(...args));
  try {
    await Promise.race([
      import('./' + file),
      new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('still running after 5 s')), 5000); }),
    ]);
  } catch (err) {
    failed.push(where + ': ' + (err?.stack ?? err));
  } finally {
    clearTimeout(timer);
  }
}
writeFileSync('output.json', JSON.stringify(output, null, 1));
process.stdout.write(JSON.stringify(failed));
process.exit(0);
`;

describe('every @example of the packages', () => {
  it('finds the examples', () => {
    expect(examples.length).toBeGreaterThan(150);
  });

  it('type-checks as a module that imports from the npm name, and runs when it starts no worker', {
    timeout: 60_000,
  }, async () => {
    expect(compile().filter((e) => !KNOWN.some((k) => k.test(e)))).toEqual([]);
    const runnable = examples.flatMap((ex, i) => (runsHere(ex.code) ? [[`${fileOf(i)}.js`, ex.where]] : []));
    expect(runnable.length).toBeGreaterThan(50);
    writeFileSync(join(dir, 'run.mjs'), RUNNER);
    const { stdout } = await promisify(execFile)(process.execPath, ['run.mjs', JSON.stringify(runnable)], {
      cwd: dir,
      timeout: 50_000,
    });
    expect(JSON.parse(stdout)).toEqual([]);
  });
});
