// TypeScript in the consumer project: a correct program compiles, and each wrong task argument is a
// compile error (Pool calls and Process args alike). One compiler run checks both files.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Ran, run } from './exec.ts';
import { FIXTURES, withFixtures } from './project.ts';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const FILES = ['typed.mts', 'mistyped.mts'];
const errorsIn = (ran: Ran, file: string) =>
  [
    ...ran.stdout.matchAll(new RegExp(`^${file.replace('.', '\\.')}\\((\\d+),\\d+\\): error TS\\d+`, 'gm')),
  ].map((m) => Number(m[1]));

let ran: Ran;
beforeAll(async () => {
  const dir = withFixtures(...FILES);
  const compilerOptions = {
    module: 'nodenext',
    target: 'es2023',
    strict: true,
    noEmit: true,
    skipLibCheck: true,
  };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: FILES }));
  ran = await run(process.execPath, [tsc, '-p', 'tsconfig.json', '--pretty', 'false'], {
    cwd: dir,
    timeoutMs: 120_000,
  });
}, 150_000);

describe('types from the packed .d.ts files', () => {
  it('a program whose task arguments match compiles cleanly', () => {
    const otherErrors = ran.stdout
      .split('\n')
      .filter((l) => / error TS/.test(l) && !l.startsWith('mistyped.mts('));
    expect(otherErrors).toEqual([]);
    expect(errorsIn(ran, 'typed.mts')).toEqual([]);
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
