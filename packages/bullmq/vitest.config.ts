import { defineConfig, mergeConfig } from 'vitest/config';
import shared, { longTier } from '../../vitest.shared.ts';

// Three files at a time: each starts its own Redis server, and most of a file's time is spent
// waiting on BullMQ's timers (lock renewals, stalled-job checks, retries), not on the CPU.
// The 513 MB payload (too-big.test.ts) and the 64 MiB one under a 3 s lock (large-payloads.test.ts)
// run in `npm run test:full` only (see vitest.shared.ts): beside every other suite on 2 cores a
// worker's event loop stalls past any lock short enough to test the payload's own. So do Redis
// killed and restarted (with its data or without), cut off or frozen, workers killed or frozen,
// the worker CLI and split task modules: minutes of CPU and of waiting on BullMQ's timers that
// CI's 2 cores cannot spare beside every other suite. The ports of Bull's and BullMQ's bug reports
// (bug-reports-*) join them, as the umbrella package's report files run in the full tier.
export default mergeConfig(
  shared,
  defineConfig({
    test: {
      globalSetup: ['test/global-setup.ts'],
      maxWorkers: 3,
      exclude: longTier([
        'test/too-big.test.ts',
        'test/large-payloads.test.ts',
        'test/redis-loss.test.ts',
        'test/redis-survives.test.ts',
        'test/faults.test.ts',
        'test/liveness.test.ts',
        'test/cli.test.ts',
        'test/split-modules.test.ts',
        'test/bug-reports-*.test.ts',
        // randomized schedules: workers and Redis killed, frozen and restarted under a pool's calls
        'test/bullmq-chaos-61.test.ts',
        // the contract's Pool sentences the parity cases leave unpinned (session 57's audit)
        'test/contract-57.test.ts',
      ]),
    },
  }),
);
