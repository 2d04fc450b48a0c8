import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// Each test runs whole programs in the packed project; installing it is done once, in the global
// setup. Bounds are wider than the packages' own: a scenario starts several Node processes.
// The files run side by side, and the cases inside a file where they say so (describe.concurrent):
// a case mostly waits on the programs it starts (workers, npx asking the registry), so running
// them one after another, as vitest does on 2 cores, leaves the CPU idle.
export default mergeConfig(
  shared,
  defineConfig({
    test: {
      globalSetup: ['test/global-setup.ts'],
      testTimeout: 120_000,
      hookTimeout: 300_000,
      maxWorkers: 4,
      maxConcurrency: 4,
    },
  }),
);
