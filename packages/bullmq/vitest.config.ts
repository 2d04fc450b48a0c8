import { defineConfig, mergeConfig } from 'vitest/config';
import shared, { longTier } from '../../vitest.shared.ts';

// Three files at a time: each starts its own Redis server, and most of a file's time is spent
// waiting on BullMQ's timers (lock renewals, stalled-job checks, retries), not on the CPU.
// A 513 MB payload (too-big.test.ts) runs in `npm run test:full` only (see vitest.shared.ts).
export default mergeConfig(
  shared,
  defineConfig({
    test: {
      globalSetup: ['test/global-setup.ts'],
      maxWorkers: 3,
      exclude: longTier(['test/too-big.test.ts']),
    },
  }),
);
