// Start-up cost of the umbrella (issue #18), guarded by what its import compiles, never by timings.
// The first-use facades' runtime (scripts/first-use-runtime.mjs: the proxies, the loader, its
// error advice) used to be built into each package's index, so every realm that imports the
// umbrella (the program, and each worker, whose task module imports it) compiled three copies,
// ~21 KB of the ~157 KB its import parsed (~0.6 ms of CPU of a program's import on Node 20). Now
// `@multiproc/shared`'s index holds the one copy and the other indexes import it from there.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
/** The built index of each package the umbrella's import loads, and the umbrella's own. */
const INDEXES = {
  shared: require.resolve('@multiproc/shared'),
  ipc: require.resolve('@multiproc/ipc'),
  core: require.resolve('@multiproc/core'),
  multiproc: require.resolve('@multiproc/multiproc'),
};
/** A built file's text as one line (the build breaks lines at 120 characters, in strings with `\`). */
const text = (file: string): string => readFileSync(file, 'utf8').replace(/\\?\n/g, '');
/** A statement of the runtime's own (its count of first uses under way, scripts/first-use-guard.js). */
const RUNTIME_MARK = 'Symbol.for("multiproc.firstUse.loading")';

describe('an import of the umbrella compiles the first-use runtime', () => {
  it("once, in @multiproc/shared's index, which ipc's and core's indexes import it from", () => {
    const copies = Object.fromEntries(
      Object.entries(INDEXES).map(([name, file]) => [name, text(file).split(RUNTIME_MARK).length - 1]),
    );
    expect(copies).toEqual({ shared: 1, ipc: 0, core: 0, multiproc: 0 });
    for (const name of ['ipc', 'core'] as const) {
      expect(text(INDEXES[name])).toMatch(/import\{[^}]*\bfirstUseRuntime\b[^}]*\}from"@multiproc\/shared"/);
    }
  });

  it('within a budget of bytes for the four files (each byte is parsed by every realm that imports it)', () => {
    // 157 KB before the runtime was shared, 138 KB after; the budget leaves room for small growth.
    const bytes = Object.values(INDEXES).reduce((sum, file) => sum + readFileSync(file).length, 0);
    expect(bytes).toBeLessThan(146_000);
  });
});
