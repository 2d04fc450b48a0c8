// Every `@example` in the published packages' doc comments is type-checked against the built
// packages, as a user's module that imports from the npm name, and run as a program of its own
// (those of @multiproc/bullmq need Redis and run in its own tests). A fragment (an undefined receiver, a
// `...`) fails here, and so does a `console.log(x); // value` that prints something else.
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  asModule,
  type DocExample,
  expectedOf,
  findDocExamples,
  instrument,
  misprints,
  PACKAGE_NAMES,
} from './doc-examples.ts';
import { DOCS, makeProject, type Project, REPO } from './project.ts';

const examples = findDocExamples();
const FULL = process.env.MULTIPROC_TESTS === 'full';
/** How long before a test's limit the examples still running are killed, so it can name them (ms). */
const REPORT_MS = 10_000;
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
  for (const i of examples.keys()) {
    const js = join(dir, `${fileOf(i)}.js`);
    writeFileSync(js, instrument(readFileSync(js, 'utf8')));
  }
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (!d.file || d.start === undefined) return text;
    const index = Number(/ex(\d+)\.ts$/.exec(d.file.fileName)?.[1]);
    const where = Number.isNaN(index) ? d.file.fileName : (examples[index] as DocExample).where;
    const { line } = d.file.getLineAndCharacterOfPosition(d.start);
    return `${where} (line ${line} of the module): ${text}`;
  });
}

// Loaded before each example, in its own process: the \`pool\` the reference gives, made on first
// use, and the record of what its commented console.logs print, written at exit. Only the example's
// own process writes it: the children and threads it starts run this file too (they inherit
// \`--import\`), and one ending after the example used to truncate the record as the test read it
// ("Unexpected end of JSON input"); the write goes through a rename, so a reader never sees half.
const GIVEN = `
import { renameSync, writeFileSync } from 'node:fs';
import { format } from 'node:util';
import { Pool } from '@multiproc/multiproc';
let pool;
Object.defineProperty(globalThis, 'pool', { get: () => (pool ??= new Pool()) });
const sites = {};
globalThis.__log = (comment, site, ...args) => {
  (sites[site] ??= { comment, out: [] }).out.push(format(...args));
  console.log(...args);
};
const sitesFile = process.env.SITES_FILE;
delete process.env.SITES_FILE;
if (sitesFile) {
  process.on('exit', () => {
    writeFileSync(sitesFile + '.part', JSON.stringify(sites));
    renameSync(sitesFile + '.part', sitesFile);
  });
}
`;

const misprinted = (sites: Record<string, Record<string, { comment: string; out: string[] }>>) =>
  Object.entries(sites).flatMap(([where, at]) => misprints(where, at));

describe('every @example of the packages', () => {
  it('finds the examples', () => {
    expect(examples.length).toBeGreaterThan(150);
  });

  it('tells a value comment from a description, and a misprint from a match', () => {
    expect(expectedOf("[ 'a', 2 ] (a list proxy's contents)")).toBe("[ 'a', 2 ]");
    expect(expectedOf('false: Event.wait reports a timeout by its result')).toBe('false');
    expect(expectedOf('true false')).toBe('true false');
    expect(expectedOf("names 'thread' and 'process'")).toBeUndefined();
    expect(expectedOf('a socket path in the temp directory')).toBeUndefined();
    const at = (comment: string, ...out: string[]) => ({ 1: { comment, out } });
    expect(misprints('w', at('[1, 4, 9]', '[ 1, 4, 9 ]'))).toEqual([]);
    expect(misprints('w', at('1, then 2', '1', '2'))).toEqual([]);
    expect(misprints('w', at('49', '48'))).toEqual(['w: the comment says 49, it printed 48']);
  });

  // One TypeScript program of every example, no timer: 5.5 s of CPU (MULTIPROC_CPU_LOG), 7 s alone
  // at a load of 21, 49.7 s beside other suites (load 21-37), against the 60 s it had: 120 s.
  it('type-checks as a module that imports from the npm name', { timeout: 120_000 }, () => {
    expect(compile().filter((e) => !KNOWN.some((k) => k.test(e)))).toEqual([]);
  });

  // Those of @multiproc/bullmq need Redis, those that bundle need esbuild's output, and a CommonJS
  // one (`__filename`) cannot run in this ES module project: they are type-checked only. CI runs
  // every other example (each is a program with its own pool: over 90 s of CPU for all of them
  // beside every other suite on 2 cores); `npm run test:full` runs them all.
  // All of them (the full tier, beside its other suites on 2 cores) took over 240 s once; CI's half
  // took 197 s beside every other suite (load 10-37), against the 240 s it had: 360 s.
  // An example still running when the test's own limit is REPORT_MS away is killed then (and those
  // not started are not run), named in the failure: a fixed bound per example (30 s) could kill a
  // healthy one that a load held up, while the whole run was still inside its limit.
  it('runs each in its own process to its end, printing what its comments say', {
    timeout: FULL ? 900_000 : 360_000,
  }, async ({ task }) => {
    const deadline = performance.now() + task.timeout - REPORT_MS;
    const runs = examples.flatMap((ex, i) =>
      // A bullmq example need not name its package (`console.log(pool)`): tell it by where it is.
      ex.packageName === '@multiproc/bullmq' ||
      /multiproc\/bullmq|from 'esbuild'|__filename/.test(ex.code) ||
      !(FULL || i % 2 === 0)
        ? []
        : [i],
    );
    expect(runs.length).toBeGreaterThan(FULL ? 250 : 125);
    writeFileSync(join(dir, 'given.mjs'), GIVEN);
    const failed: string[] = [];
    const sites: Record<string, Record<string, { comment: string; out: string[] }>> = {};
    const lane = async () => {
      while (runs.length > 0 && performance.now() < deadline) {
        const i = runs.shift() as number;
        const { where } = examples[i] as DocExample;
        const file = join(dir, `${fileOf(i)}.sites.json`);
        await promisify(execFile)(process.execPath, ['--import', './given.mjs', `${fileOf(i)}.js`], {
          cwd: dir,
          timeout: Math.max(1, Math.round(deadline - performance.now())),
          env: { ...process.env, SITES_FILE: file },
        }).then(
          () => {
            sites[where] = JSON.parse(readFileSync(file, 'utf8'));
          },
          (err) => failed.push(`${where}: ${err.signal ?? `exit code ${err.code}`}\n${err.stderr}`),
        );
      }
    };
    await Promise.all([lane(), lane()]);
    if (runs.length > 0) failed.push(`${runs.length} more not run: the test's limit was near`);
    expect(failed).toEqual([]);
    expect(misprinted(sites)).toEqual([]);
    const checked = Object.values(sites).flatMap((at) =>
      Object.values(at).filter((s) => expectedOf(s.comment)),
    );
    expect(checked.length).toBeGreaterThan(FULL ? 150 : 75);
  });
});
