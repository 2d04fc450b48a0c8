// A task module whose import fails with a SyntaxError, in itself or in a module it imports (statically,
// or dynamically in the worker only): the error names the broken file, line and column, and shows the
// source line with a caret, for a pool call and a Process. Node gives a caught import()'s SyntaxError
// no place; Python's traceback names file and line.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { defineTasks, Pool, ProcessError } from '@multiproc/core';
import { afterAll, describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { importSpecifiers } from '../src/internal/syntax-site.js';
import { runProgram } from './helpers.ts';

// Written at run time: a broken file in the repository would fail its linter.
const dir = mkdtempSync(join(tmpdir(), 'multiproc-syntax-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, text: string): string => {
  const path = join(dir, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return pathToFileURL(path).href;
};
const broken = write('broken.mjs', '// broken on purpose\nexport const x = ;\n');
const modules = {
  itself: write('itself.mjs', 'export const a = 1;\nexport const b = (;\n'),
  dynamic: write(
    'dynamic.mjs',
    "// the worker only: the main thread never imports this module\nif (1) await import('./broken.mjs');\n",
  ),
  static: write('static.mjs', "import { y } from './lib/ok.mjs';\nexport const z = y;\n"),
};
write('lib/ok.mjs', "// import './nowhere.mjs' in a comment\nexport { x as y } from '../broken.mjs';\n");
const brokenAt = (url: string, line: number, column: number) =>
  new RegExp(`Unexpected token .*\\(at ${url.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:${line}:${column}\\)`);
const expected = {
  itself: brokenAt(modules.itself, 2, 19),
  dynamic: brokenAt(broken, 2, 18),
  static: brokenAt(broken, 2, 18),
};

describe.each(matrix(import.meta.url))('a task module with a syntax error, %s context', (context) => {
  it('rejects a pool call with the broken file, line and column, the source line and a caret', async () => {
    const pool = new Pool({ processes: 1, context });
    try {
      for (const kind of ['itself', 'dynamic', 'static'] as const) {
        const tasks = defineTasks(modules[kind], { ok: () => 1 });
        const error = (await pool.apply(tasks.ok).catch((e: Error) => e)) as Error;
        expect(error).toBeInstanceOf(ProcessError);
        expect(error.message).toMatch(new RegExp(`^Cannot import the task module .*${kind}\\.mjs: `));
        expect(error.message).toMatch(expected[kind]);
        expect((error.cause as Error).name).toBe('SyntaxError');
        if (kind !== 'itself') expect(error.message).toMatch(/\nexport const x = ;\n {17}\^\n?$/);
      }
    } finally {
      await pool.terminate();
    }
  });

  it('prints the broken file, line and column from a Process', async () => {
    const { stdout, stderr } = await runProgram('syntax-error-process.mjs', [context, modules.dynamic]);
    expect(stdout).toContain('exitCode=1');
    expect(stderr).toMatch(expected.dynamic);
    expect(stderr).toContain('export const x = ;');
  });
});

// The thread that receives a reference imports its module (Python's unpickling does) when it is
// neither the program's main thread (which imports none) nor a multiproc worker (load-task.ts): a
// worker_threads Worker of the program's own, a test runner's or another pool's thread.
describe("a thread of the program's own that receives a reference to a task of that module", () => {
  it('rejects with the broken file, line and column, the source line and a caret', async () => {
    const { stdout, stderr } = await runProgram('syntax-error-own-thread.mjs', [modules.static]);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^ProcessError: Cannot import the task module .*static\.mjs: /);
    expect(stdout).toMatch(expected.static);
    expect(stdout).toMatch(/\nexport const x = ;\n {17}\^\ncause: SyntaxError\n$/);
  });
});

describe('importSpecifiers', () => {
  it('finds static and literal dynamic imports, and skips those in comments and strings', () => {
    const source = [
      "import a from './a.mjs';",
      'import { b,\n  c as d } from "./b.js";',
      "import * as e from 'pkg';",
      "import './side.mjs';",
      "export * from './f.mjs';",
      "export { g } from './g.mjs';",
      "const h = await import('./h.mjs');",
      'const i = import(`./i.mjs`, { with: {} });',
      "// import j from './j.mjs';",
      "/* import('./k.mjs') */",
      'const s = "import l from \'./l.mjs\'";',
      'const t = import(name);',
      'obj.import("./m.mjs");',
    ].join('\n');
    expect(importSpecifiers(source)).toEqual([
      './a.mjs',
      './b.js',
      'pkg',
      './side.mjs',
      './f.mjs',
      './g.mjs',
      './h.mjs',
      './i.mjs',
    ]);
  });
});
