import { defineConfig, mergeConfig } from 'vitest/config';
import shared, { longTier } from '../../vitest.shared.ts';

export default mergeConfig(
  shared,
  defineConfig({
    test: {
      // Session 39's ports of the rest of CPython's suite and its 73 more public bug reports passed
      // without a library change but for two faults, whose tests run in CI in their packages
      // (ipc's python-parity, core's died-starting). They add minutes of CPU to a CI run where every
      // package's suite shares 2 cores, so they run in `npm run test:full` (see vitest.shared.ts).
      exclude: longTier([
        'test/cpython-port-39-*.test.ts',
        'test/node-pool-bugs-39.test.ts',
        'test/python-bugs-39.test.ts',
      ]),
    },
  }),
);
