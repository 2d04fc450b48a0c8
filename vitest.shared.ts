import { defineConfig } from 'vitest/config';

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
    reporters: process.env.CI ? ['default'] : ['default'],
    server: { deps: { external: [/\/packages\/[^/]+\/dist\//, /node_modules/] } },
  },
});
