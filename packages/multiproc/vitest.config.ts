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
      // The later ports (cpython-port-43 and -45, the cases the earlier ones left out, about 2 minutes
      // of a CI run's wall time together) joined them when CI came near its 15 minutes.
      exclude: longTier([
        'test/cpython-port-*.test.ts',
        'test/python-docs-examples.test.ts',
        'test/node-pool-bugs*.test.ts',
        'test/python-bugs*.test.ts',
        'test/bug-reports-*.test.ts',
        // bad and odd input to every public call, both contexts (bounded: under a minute)
        'test/bad-input-54.test.ts',
        // every waiting API in every situation, as whole programs (about 450, 5 minutes)
        'test/wait-exit-53.test.ts',
        // public reports about Python's Manager and proxies (57 cases, both contexts, about 20 s)
        'test/manager-reports-54.test.ts',
        // the contract's sentences at their edges, both contexts (session 54's audit, about a minute)
        'test/contract-audit-54.test.ts',
        // a blocking wait right after a pool call or Process start, every wait and context (15 programs)
        'test/sync-wait-after-submit-55.test.ts',
        // the contract's sentences earlier audits left unpinned, both contexts (session 57, under a minute)
        'test/contract-57.test.ts',
        // piscina's, tinypool's and workerpool's own test suites, ported (session 58; both contexts, under a minute)
        'test/peer-suites-*.test.ts',
        // the contract's failure and delivery sentences still unpinned after contract-57 (session 59;
        // both contexts, about 45 s, mostly waits: 22 s and 7 s of CPU in one context)
        'test/contract-59.test.ts',
      ]),
    },
  }),
);
