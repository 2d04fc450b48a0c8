import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';
import { nameHash } from './test-support/matrix.ts';
import { RetriedReporter } from './vitest.retried.ts';

/**
 * Tests come in two tiers. `npm test` (what CI runs on every change) runs the contract's suites, a
 * per-context case in one of the two contexts (test-support/matrix.ts; a case for one context only
 * sits outside the matrix and always runs in its own), half of core's and ipc's
 * other regression files ({@link regressionHalf}) and the files no package lists in
 * {@link longTier}, and must finish well inside 15 minutes on 2 cores. `npm run test:full` adds the long tier: both contexts
 * everywhere, stress loops, soaks, death at random instants, chaos, ports of other projects'
 * suites, and the wide matrices of cases. Run it before a release and after a change to what those
 * suites guard. `MULTIPROC_CPU_LOG=<file> npm test` records the CPU time of every test file
 * (test-support/cpu-log.ts), to keep the CI tier inside its budget.
 */
export const FULL_TESTS = process.env.MULTIPROC_TESTS === 'full';

/** A package's test files that only the full tier runs: pass them as the package's `exclude`. */
export function longTier(files: string[]): string[] {
  return [...configDefaults.exclude, ...(FULL_TESTS ? [] : files)];
}

/**
 * Half of a package's regression files (`test/*.test.ts` not matched by `keep`, the contract's own
 * suites), chosen by an FNV-1a hash of each file's name so the choice is the same on every machine:
 * pass them to {@link longTier}. CI runs the other half and every kept suite; the full tier runs
 * all. Used where a package's suite would not fit CI's CPU budget on 2 cores otherwise.
 */
export function regressionHalf(packageDir: string, keep: RegExp): string[] {
  return readdirSync(join(packageDir, 'test'))
    .filter((name) => name.endsWith('.test.ts') && !keep.test(name))
    .filter((name) => nameHash(name) % 2 === 1)
    .map((name) => `test/${name}`);
}

// Every package's tests share these settings. Tests start real workers and child processes, so
// each one is bounded: a hang fails that test instead of stalling CI. Packages are imported from
// their built `dist/` (turbo runs `build` before `test`), the same files users get, because a
// worker thread or child process cannot load TypeScript sources through Vite's transform.
export default defineConfig({
  test: {
    testTimeout: 15_000,
    hookTimeout: 15_000,
    teardownTimeout: 5_000,
    pool: 'forks',
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // The CI tier runs every package's tests at once on 2 cores (load 15-25), where a test that
    // waits on real workers can run 20x slower than alone and pass its bound. Such a test gets one
    // more try there; the reporter lists every test that needed it. The full tier never retries:
    // it is where timing faults are hunted.
    retry: FULL_TESTS ? 0 : 1,
    reporters: ['default', new RetriedReporter()],
    setupFiles: process.env.MULTIPROC_CPU_LOG
      ? [fileURLToPath(new URL('./test-support/cpu-log.ts', import.meta.url))]
      : [],
    server: { deps: { external: [/\/packages\/[^/]+\/dist\//, /node_modules/] } },
  },
});
