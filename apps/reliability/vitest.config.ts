import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// The suites run on `src/` (transformed by Vite); their task module is the built `dist/tasks.js`,
// which workers import as plain JavaScript (see src/tasks.ts).
export default mergeConfig(
  shared,
  defineConfig({
    test: {
      server: { deps: { external: [/\/apps\/reliability\/dist\//] } },
    },
  }),
);
