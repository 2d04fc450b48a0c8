import type { Sizes } from './types.js';

/** Sizes named in issues 3, 4, 5, 6 and 17. */
export const FULL_SIZES: Sizes = {
  poolItems: 100_000,
  perItemItems: 100_000,
  batch: 1000,
  cpuTasks: 8,
  cpuTaskMs: 150,
  memItems: 10_000_000,
  starts: 10,
  smallMsgs: 200_000,
  roundTrips: 10_000,
  bigMsgs: 4096,
  lockPairs: 1_000_000,
  increments: 1_000_000,
  ringSmallMsgs: 500_000,
  idleMs: 500,
  benchTimeMs: 300,
  bullmqRawItems: 5000,
  sleepItems: 128,
  sleepMs: 50,
  workloadBytes: 4_000_000,
};

/** Tiny sizes for `--quick`: every code path once, no meaningful numbers. */
export const QUICK_SIZES: Sizes = {
  poolItems: 2000,
  perItemItems: 500,
  batch: 100,
  cpuTasks: 4,
  cpuTaskMs: 10,
  memItems: 20_000,
  starts: 1,
  smallMsgs: 2000,
  roundTrips: 200,
  bigMsgs: 32,
  lockPairs: 10_000,
  increments: 10_000,
  ringSmallMsgs: 2000,
  idleMs: 100,
  benchTimeMs: 20,
  bullmqRawItems: 200,
  sleepItems: 8,
  sleepMs: 5,
  workloadBytes: 300_000,
};
