import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// Each test runs whole programs in the packed project; installing it is done once, in the global
// setup. Bounds are wider than the packages' own: a scenario starts several Node processes.
export default mergeConfig(
  shared,
  defineConfig({
    test: {
      globalSetup: ['test/global-setup.ts'],
      testTimeout: 120_000,
      hookTimeout: 300_000,
    },
  }),
);
