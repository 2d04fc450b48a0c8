import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig } from 'vitest/config';
import shared, { longTier, regressionHalf } from '../../vitest.shared.ts';

// Most tests here start threads and child processes; in CI every package's suite runs at once on
// 2 cores, where a child's start alone can take seconds. A hang still fails, after 60 s.
// Two files at a time (vitest's default on 2 cores is one): most of a file's time is spent waiting
// for peers to start and for messages to cross, which another file can overlap.
// The contract's own suites: CI runs all of them, and half of the other files (regressionHalf).
const HERE = fileURLToPath(new URL('.', import.meta.url));

// Files that import this package's sources (its internals, unit by unit) hold a second copy of it
// beside the build the others use, which registers its codec and classes realm-wide: they run
// isolated, each in a fresh worker process. The others share worker processes, several files each
// (as core's do): a fresh process per file cost about half a CPU-second each.
const SOURCES = /['"]\.\.?\/(src|model)\//;
const testFiles = readdirSync(`${HERE}test`).filter((name) => name.endsWith('.test.ts'));
const usesSources = testFiles.filter((name) => SOURCES.test(readFileSync(`${HERE}test/${name}`, 'utf8')));
const inTest = (names: string[]) => names.map((name) => `test/${name}`);

const CONTRACT_SUITES =
  /^(pipe|queue|contract-audit|end-of-life|worker-made|queue-loan|queue-loan-timeouts|manager|joinable-pipelined|python-parity|listener|process|sent-under-death|timeout|smoke|file-size)\.test\.ts$/;

export default mergeConfig(
  shared,
  defineConfig({
    test: {
      testTimeout: 60_000,
      hookTimeout: 60_000,
      maxWorkers: 2,
      // Links' forwarders and queue copies stopped at random instants, in long loops, 50 MiB values
      // through a manager, the protocol's model checks, lock leases in long rounds, and the slowest
      // regression files beyond the contract's own suites (pipe, queue, end-of-life, worker-made,
      // contract-audit, ...): `npm run test:full` (see vitest.shared.ts). CI's budget is CPU time:
      // every package's suite shares its 2 cores.
      exclude: longTier([
        'test/forward-under-death.test.ts',
        'test/count-under-death.test.ts',
        'test/manager-big-values.test.ts',
        'test/taken-under-death.test.ts',
        'test/first-use-terminated.test.ts',
        'test/catch-up.test.ts',
        'test/hand-on.test.ts',
        'test/manager-lease.test.ts',
        'test/protocol.model.test.ts',
        'test/home-blocked.test.ts',
        ...regressionHalf(HERE, CONTRACT_SUITES),
      ]),
      projects: [
        { extends: true, test: { name: 'built', isolate: false, exclude: inTest(usesSources) } },
        {
          extends: true,
          test: { name: 'sources', exclude: inTest(testFiles.filter((name) => !usesSources.includes(name))) },
        },
      ],
    },
  }),
);
