// TypeScript in the consumer project: the correct programs compile, and each wrong task argument
// is a compile error (Pool calls and Process args alike), under exactOptionalPropertyTypes; one
// compiler run checks all three files. Then the correct programs on TypeScript 6 and 7 (and 5.4, the
// stated minimum, in the full tier; fetched with `npx -p typescript@N`, skipped with the reason
// printed when that fails), a `"module": "commonjs"` project, and @multiproc/shared in a browser
// project.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Ran, run } from './exec.ts';
import { FIXTURES, withFixtures } from './project.ts';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
// One program checks the correct programs (typed.mts: task arguments; strict.mts: what the
// declarations promise beyond them) and the wrong one, under exactOptionalPropertyTypes: that option
// only adds errors, and it adds none to mistyped.mts (its errors stay on the lines marked WRONG).
const FILES = ['typed.mts', 'strict.mts', 'mistyped.mts'];
const strictOptions = {
  module: 'nodenext',
  target: 'es2023',
  strict: true,
  exactOptionalPropertyTypes: true,
  noEmit: true,
  skipLibCheck: true,
  // TypeScript 6 and later load no @types package unless told to.
  types: ['node'],
};
const errorsIn = (ran: Ran, file: string) =>
  [
    ...ran.stdout.matchAll(new RegExp(`^${file.replace('.', '\\.')}\\((\\d+),\\d+\\): error TS\\d+`, 'gm')),
  ].map((m) => Number(m[1]));

let ran: Ran;
beforeAll(async () => {
  const dir = withFixtures(...FILES);
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: strictOptions, files: FILES }));
  ran = await run(process.execPath, [tsc, '-p', 'tsconfig.json', '--pretty', 'false'], {
    cwd: dir,
    timeoutMs: 120_000,
  });
}, 150_000);

describe("types from the packed .d.ts files, on this repository's TypeScript", () => {
  it('the correct programs compile cleanly, also under exactOptionalPropertyTypes', () => {
    const otherErrors = ran.stdout
      .split('\n')
      .filter((l) => / error TS/.test(l) && !l.startsWith('mistyped.mts('));
    expect(otherErrors).toEqual([]);
    expect(errorsIn(ran, 'typed.mts')).toEqual([]);
    expect(errorsIn(ran, 'strict.mts')).toEqual([]);
  });

  it('every wrong task argument is a compile error on its own line', () => {
    const wrongLines = readFileSync(join(FIXTURES, 'mistyped.mts'), 'utf8')
      .split('\n')
      .flatMap((line, i) => (line.endsWith('// WRONG') ? [i + 1] : []));
    expect(ran.code).not.toBe(0);
    expect(wrongLines).toHaveLength(4);
    expect([...new Set(errorsIn(ran, 'mistyped.mts'))]).toEqual(wrongLines);
  });
});

// A first download of a TypeScript takes tens of seconds; a cached one, a few.
const FETCH_TS_TIMEOUT_MS = 150_000;
const FULL = process.env.MULTIPROC_TESTS === 'full';
const STRICT_FILES = ['typed.mts', 'strict.mts'];

describe.concurrent('the correct programs under exactOptionalPropertyTypes', () => {
  // The minimum the docs state (getting-started.md), with the declarations checked as they say:
  // skipLibCheck off, target es2022 (5.4 knows no es2023). That check reads all of @types/node and
  // zod (~12 s of CPU), so it runs in the full tier only.
  const versions = [
    { major: '5.4', run: FULL, options: { target: 'es2022', skipLibCheck: false } },
    { major: '6', run: true, options: {} },
    { major: '7', run: true, options: {} },
  ];
  for (const { major, run: runs, options } of versions) {
    it.runIf(runs)(`on TypeScript ${major}`, { timeout: FETCH_TS_TIMEOUT_MS + 150_000 }, async (ctx) => {
      const dir = withFixtures(...STRICT_FILES);
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({ compilerOptions: { ...strictOptions, ...options }, files: STRICT_FILES }),
      );
      // One npx run (each costs about 2 s of CPU to resolve the package): the version first, so a
      // failed fetch (no version line) is told apart from errors in the program.
      const ran = await run(
        'npx',
        ['-y', '-p', `typescript@${major}`, '-c', 'tsc --version && tsc -p tsconfig.json --pretty false'],
        { cwd: dir, timeoutMs: FETCH_TS_TIMEOUT_MS + 120_000 },
      );
      const [version = '', ...lines] = ran.stdout.split('\n');
      if (!version.startsWith(`Version ${major}.`)) {
        const reason = `npx -p typescript@${major} failed (exit ${ran.code}): ${(ran.stderr || ran.stdout).trim().slice(0, 300)}`;
        console.warn(`[consumer] TypeScript ${major} skipped: ${reason}`);
        ctx.skip(reason);
      }
      expect([version, lines.filter((l) => / error TS/.test(l))]).toEqual([version, []]);
      expect(ran.code).toBe(0);
    });
  }
});

describe('a CommonJS project compiled with "module": "commonjs"', () => {
  // That setting resolves as TypeScript's node10 does: no `exports` map, so every subpath a
  // declaration or the user imports needs a `typesVersions` entry. Without one the umbrella's
  // default namespace (its type from core's `internal/callable`) silently became `any`.
  it('resolves every declaration and keeps the default namespace typed', { timeout: 150_000 }, async () => {
    const dir = withFixtures('commonjs.ts');
    const compilerOptions = {
      module: 'commonjs',
      target: 'es2022',
      esModuleInterop: true,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: ['node'],
    };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['commonjs.ts'] }));
    const ran = await run(process.execPath, [tsc, '-p', 'tsconfig.json', '--pretty', 'false'], {
      cwd: dir,
      timeoutMs: 120_000,
    });
    expect(ran.stdout.split('\n').filter((l) => / error TS/.test(l))).toEqual([]);
    expect(ran.code).toBe(0);
  });
});

describe('@multiproc/shared in a browser project', () => {
  it('compiles with lib es2022 and dom only, no @types/node, declarations checked', {
    timeout: 150_000,
  }, async () => {
    const dir = withFixtures('browser.mts');
    const compilerOptions = {
      module: 'nodenext',
      target: 'es2022',
      lib: ['es2022', 'dom'],
      types: [],
      strict: true,
      noEmit: true,
      skipLibCheck: false,
    };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['browser.mts'] }));
    const ran = await run(process.execPath, [tsc, '-p', 'tsconfig.json', '--pretty', 'false'], {
      cwd: dir,
      timeoutMs: 120_000,
    });
    expect(ran.stdout.split('\n').filter((l) => / error TS/.test(l))).toEqual([]);
    expect(ran.code).toBe(0);
  });
});
