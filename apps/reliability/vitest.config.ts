import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// The suites run on `src/` (transformed by Vite); their task module is the built `dist/tasks.js`,
// which workers import as plain JavaScript (see src/tasks.ts). `test/pending/` waits for other
// issues and is not part of `pnpm test` (see test/pending/README.md).
export default mergeConfig(
  shared,
  defineConfig({
    test: {
      exclude: ['test/pending/**', '**/node_modules/**'],
      server: { deps: { external: [/\/apps\/reliability\/dist\//] } },
    },
  }),
);
