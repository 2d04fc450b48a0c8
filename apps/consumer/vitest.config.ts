import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// Each test runs whole programs in the packed project; installing it is done once, in the global
// setup. Bounds are wider than the packages' own: a scenario starts several Node processes.
// The files run side by side, and the cases inside a file where they say so (describe.concurrent):
// a case mostly waits on the programs it starts (workers, npx asking the registry). Two at a time:
// in CI every package's suite runs at once, and more would only starve the others' workers.
export default mergeConfig(
  shared,
  defineConfig({
    test: {
      globalSetup: ['test/global-setup.ts'],
      testTimeout: 120_000,
      hookTimeout: 300_000,
      maxWorkers: 2,
      maxConcurrency: 2,
    },
  }),
);
