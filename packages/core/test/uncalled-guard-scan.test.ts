// The advice for a guard that tests `isMain` without calling it (bootstrap.ts, guard-scan.ts) must
// be exact: a correct `const isMain = mp.isMain(); if (isMain)` got it on the failure path (the
// message then blamed the wrong line), and a string holding `/*` or `//` hid a real uncalled
// guard after it (read as a comment).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { codeOnly, findUncalledGuard } from '../src/internal/guard-scan.ts';

const lineOf = (source: string) => findUncalledGuard(source)?.line;

describe('the uncalled-guard scan', () => {
  it.each([
    ["import { isMain } from 'multiproc';\nif (isMain) {}", 2],
    ["import * as mp from '@multiproc/core';\nif (mp.isMain) {}", 2],
    ["import mp from 'multiproc';\n\nif (mp.isMain) {}", 3],
    ["const { isMain } = require('multiproc');\nif (isMain) {}", 2],
    ["const mp = require('multiproc');\nif ( mp . isMain ) {}", 2],
    ["import { isMain as main } from 'multiproc';\nif (main) {}", 2],
    ["const { isMain: main } = require('multiproc');\nif (main) {}", 2],
    ["import * as mp from 'multiproc';\nconst main = mp.isMain;\nif (main) {}", 3],
    ["import { getContext } from 'multiproc';\nconst ctx = getContext('process');\nif (ctx.isMain) {}", 3],
    // Strings holding what reads as a comment's start hid the guard after them.
    ["import { isMain } from 'multiproc';\nconst g = 'logs/*.txt';\nif (isMain) {}\n/** end */", 3],
    ["import { isMain } from 'multiproc';\nconst u = 'http://x'; if (isMain) {}", 2],
    ["import { isMain } from 'multiproc';\nconst t = `a/*${'b'}*/`;\nif (isMain) {}", 3],
    ["import { isMain } from 'multiproc';\nconst r = /\\/\\*/;\nif (isMain) {}", 3],
  ])('finds %j (line %i)', (source, line) => {
    expect(lineOf(source as string)).toBe(line);
  });

  it.each([
    // The reported case: a value named isMain.
    "import * as mp from 'multiproc';\nconst isMain = mp.isMain();\nif (isMain) {}",
    "const mp = require('multiproc');\nlet isMain = mp.isMain()\nif (isMain) {}",
    "import { isMain as check } from 'multiproc';\nconst isMain = check();\nif (isMain) {}",
    // Called, quoted, commented, or another object's field.
    "import { isMain } from 'multiproc';\nif (isMain()) {}",
    "import { isMain } from 'multiproc';\nconst s = 'if (isMain) {}';\n// if (isMain) {}\n/* if (isMain) */",
    "import { isMain } from 'multiproc';\nconst t = `if (isMain) ${1}`;",
    'const options = { isMain: true };\nif (options.isMain) {}',
  ])('finds nothing in %j', (source) => {
    expect(findUncalledGuard(source)).toBeUndefined();
  });

  it('blanks comments and string text only, keeping lines and the code in ${...}', () => {
    const text = "a('x//y'); /* c\n d */ b(`t${f('/*')}u`) // e\n/[/]/.test(s)";
    const code = codeOnly(text);
    expect(code.split('\n').length).toBe(3);
    expect(code).toContain('b(`');
    expect(code).toContain('${f(');
    expect(code).not.toMatch(/[cde]\b|x|y|t\$/);
    expect(code.split('\n')[2]).toContain('.test(s)');
  });
});

describe('the advice on the failure path, in a real program', () => {
  const run = (fixture: string) =>
    spawnSync(process.execPath, [fileURLToPath(new URL(`./fixtures/${fixture}`, import.meta.url))], {
      encoding: 'utf8',
      timeout: 30_000,
    });

  it('a correct `const isMain = mp.isMain(); if (isMain)` beside an unguarded pool: no uncalled-guard advice', () => {
    const ran = run('value-guard.mjs');
    expect(ran.stderr).toMatch(/ContextError/);
    expect(ran.stderr).toMatch(/isMain\(\)/);
    expect(ran.stderr).not.toMatch(/tests `if \(isMain\)`/);
  });

  it("an uncalled guard after a string holding a comment's opening: named with its line", () => {
    const ran = run('hidden-guard.mjs');
    expect(ran.stderr).toMatch(/ContextError/);
    expect(ran.stderr).toMatch(/line 8 tests `if \(isMain\)`.*always true: call it, `if \(isMain\(\)\) \{/);
  });
});
