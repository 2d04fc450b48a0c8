import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig } from 'vitest/config';
import shared, { longTier, regressionHalf } from '../../vitest.shared.ts';

// Most tests here start pools of child processes; in CI every package's suite runs at once on
// 2 cores, and a pool of 3 children has taken over 15 s to answer its first call there.
// Files run at least two at a time (vitest's default on 2 cores is one): a file spends much of its
// time waiting for workers and programs to start, exit or sleep, which another file can overlap.
// The heaviest suites have one file per context (pool-*-thread, pool-*-process) to spread them.
// The contract's own suites: CI runs all of them, and half of the other files (regressionHalf).
const CONTRACT_SUITES =
  /^(pool-(thread|process|failures-thread|failures-process|close-imap|specifics|scheduling|stalled-input|imap-errors|never-settles|undelivered-args)|process|message-exit|lifecycle|owner-end(-process)?|owner-death|programs|output-lines|callbacks|start-failure|errors|context|readme|smoke|file-size|packaging|timeouts-never-early)\.test\.ts$/;

export default mergeConfig(
  shared,
  defineConfig({
    test: {
      testTimeout: 30_000,
      maxWorkers: Math.max(2, availableParallelism() - 1),
      // Files share their worker process (no fresh one per file): the suite passes so, and it takes
      // about 140 s less CPU (a fork and imports per file cost about 1 s each on CI's machine).
      isolate: false,
      // Chaos, loops of deaths and aborts, order under stress, soaks (hundreds of workers retired or
      // pools dropped, each checked for what stays reachable), rounds of workers replaced, started
      // or stopped at chosen instants, and the slowest regression files beyond the contract's own
      // suites (pool-*, pool-failures-*, process, owner-end*, ...): `npm run test:full` (see
      // vitest.shared.ts). CI's budget is CPU time: every package's suite shares its 2 cores.
      exclude: longTier([
        'test/pool-chaos-*.test.ts',
        'test/pool-abort-next.test.ts',
        'test/pool-abort-loading-bound.test.ts',
        'test/owner-death-loops.test.ts',
        'test/pool-order-stress.test.ts',
        'test/pool-retire-memory.test.ts',
        'test/pool-dropped.test.ts',
        'test/pool-dropped-copies.test.ts',
        'test/pool-replace.test.ts',
        'test/pool-worker-names.test.ts',
        'test/first-use-terminated.test.ts',
        'test/pool-initializer-each.test.ts',
        'test/pool-liveness.test.ts',
        'test/pool-exit-after-return.test.ts',
        'test/pool-side-lane.test.ts',
        'test/socket-dir.test.ts',
        'test/pool-unstarted-deaths.test.ts',
        'test/python-parity.test.ts',
        'test/reader-gone-wide.test.ts',
        'test/output-whole-wide.test.ts',
        ...regressionHalf(fileURLToPath(new URL('.', import.meta.url)), CONTRACT_SUITES),
      ]),
    },
  }),
);
