import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// The suites that wait for other issues (test/pending/README.md), run by hand.
export default mergeConfig(
  shared,
  defineConfig({
    test: {
      include: ['test/pending/**/*.test.ts'],
      server: { deps: { external: [/\/apps\/reliability\/dist\//] } },
    },
  }),
);
