import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig } from 'vitest/config';
import shared, { longTier, regressionHalf } from '../../vitest.shared.ts';

// Most tests here start threads and child processes; in CI every package's suite runs at once on
// 2 cores, where a child's start alone can take seconds. A hang still fails, after 60 s.
// Two files at a time (vitest's default on 2 cores is one): most of a file's time is spent waiting
// for peers to start and for messages to cross, which another file can overlap.
// The contract's own suites: CI runs all of them, and half of the other files (regressionHalf).
const CONTRACT_SUITES =
  /^(pipe|queue|contract-audit|end-of-life|worker-made|queue-loan|queue-loan-timeouts|manager|joinable-pipelined|python-parity|listener|process|sent-under-death|timeout|timeouts-never-early|smoke|file-size)\.test\.ts$/;

export default mergeConfig(
  shared,
  defineConfig({
    test: {
      testTimeout: 60_000,
      hookTimeout: 60_000,
      maxWorkers: 2,
      // Not `isolate: false` (as core has): tried again (a process per file costs about half a
      // CPU-second), but files sharing a worker process still saw `instanceof` fail against
      // shared's and ipc's error classes (listener-pass, manager-index-forms), even with the files
      // that import ipc's sources kept apart.
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
        'test/will-after-frames.test.ts', // waits out a worker's 5 s exit flush
        // Randomized schedules, 60 seeds each (MULTIPROC_CHAOS59_COUNT): about a minute apiece.
        'test/listener-chaos-59.test.ts',
        'test/manager-serving-chaos-59.test.ts',
        'test/wait-chaos-59.test.ts',
        // Randomized schedules, 60 seeds each (MULTIPROC_CHAOS60_COUNT): Process sentinels in wait(),
        // primitives whose holders die, a conversation handed to a worker mid-exchange.
        'test/wait-sentinel-chaos-60.test.ts',
        'test/sync-chaos-60.test.ts',
        'test/handoff-chaos-60.test.ts',
        ...regressionHalf(fileURLToPath(new URL('.', import.meta.url)), CONTRACT_SUITES),
      ]),
    },
  }),
);
