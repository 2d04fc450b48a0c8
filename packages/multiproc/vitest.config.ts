import { defineConfig, mergeConfig } from 'vitest/config';
import shared, { longTier } from '../../vitest.shared.ts';

export default mergeConfig(
  shared,
  defineConfig({
    test: {
      // Ports of other projects' suites: CPython's multiprocessing tests, the examples of Python's
      // documentation, and public bug reports of Python's and Node's pools (over 600 cases, both
      // contexts). They passed without a library change but for the faults they found, whose own
      // tests run in CI in their packages. Together they took over 3 minutes of CPU of a CI run
      // where every package's suite shares 2 cores: `npm run test:full` (see vitest.shared.ts).
      // cpython-port-43 and -45 (the cases the earlier ports left out) are small enough to run in CI
      // too: one context there (test-support/matrix.ts), both in the full tier.
      exclude: longTier([
        'test/cpython-port-29.test.ts',
        'test/cpython-port-39-*.test.ts',
        'test/python-docs-examples.test.ts',
        'test/node-pool-bugs*.test.ts',
        'test/python-bugs*.test.ts',
      ]),
    },
  }),
);
