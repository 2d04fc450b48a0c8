// A case that holds in one context only must not sit in a file's `describe.each(matrix(...))` as
// `it.runIf(context === 'process')`: the CI tier runs one context per file (test-support/matrix.ts),
// so when it picks the other one the case never runs in CI (ipc's take-then-signal process-only
// cases did not). Such a case goes in a `describe` of its own context, outside the matrix, where it
// runs in every tier. This guard reads every package's test files and names any that slipped back.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PACKAGES = fileURLToPath(new URL('../../', import.meta.url));

/** A case or an early return gated on the matrix's context (`runIf(ctx === 'thread')`, ...). */
const GATED =
  /\.(?:runIf|skipIf)\(\s*(?:\w+\s*[!=]==?\s*'(?:thread|process)'|'(?:thread|process)'\s*[!=]==?\s*\w+)\s*\)|if\s*\(\s*\w+\s*[!=]==?\s*'(?:thread|process)'\s*\)\s*(?:return|ctx\.skip|\{\s*return)/;

/** `file:line` of each gated case in a test file that runs a context matrix. */
function gatedCases(): string[] {
  const found: string[] = [];
  for (const pkg of readdirSync(PACKAGES)) {
    let files: string[];
    try {
      files = readdirSync(join(PACKAGES, pkg, 'test'), { recursive: true }) as string[];
    } catch {
      continue;
    }
    for (const file of files.filter((f) => f.endsWith('.test.ts'))) {
      const text = readFileSync(join(PACKAGES, pkg, 'test', file), 'utf8');
      const runsMatrix =
        text.includes('matrix(import.meta.url)') || text.includes('reportSuite(import.meta.url');
      if (file === 'one-context-cases.test.ts' || !runsMatrix) continue;
      text.split('\n').forEach((line, i) => {
        if (GATED.test(line)) found.push(`${pkg}/test/${file}:${i + 1}`);
      });
    }
  }
  return found;
}

describe('one-context cases', () => {
  it('no matrix file gates a case on its context (it would never run in CI when CI picks the other)', () => {
    expect(gatedCases()).toEqual([]);
  });

  it('the guard sees such a gate', () => {
    expect(GATED.test("  it.runIf(context === 'thread')(")).toBe(true);
    expect(GATED.test("  it.skipIf(name !== 'process').each([")).toBe(true);
    expect(GATED.test("    if (context === 'process') return;")).toBe(true);
    expect(GATED.test("  const pool = makePool({ context: 'thread' });")).toBe(false);
  });
});
