import type { BenchCase, SuiteName } from '../types.js';
import { bigArgCases } from './big-args.js';
import { bullmqCases } from './bullmq.js';
import { ipcCases } from './ipc.js';
import { managerCases } from './managers.js';
import { memoryCases } from './memory.js';
import { poolThroughputCases } from './pool.js';
import { poolStartupCases } from './pool-startup.js';
import { processCases } from './process.js';
import { sharedCases } from './shared.js';
import { workloadCases } from './workloads.js';

/** The cases of one suite, in the order they run. */
export function casesOf(suite: SuiteName): BenchCase[] {
  switch (suite) {
    case 'pool':
      return [...poolThroughputCases(), ...poolStartupCases(), ...bigArgCases()];
    case 'process':
      return processCases();
    case 'ipc':
      return ipcCases();
    case 'shared':
      return sharedCases();
    case 'memory':
      return memoryCases();
    case 'managers':
      return managerCases();
    case 'bullmq':
      return bullmqCases();
    case 'workloads':
      return workloadCases();
  }
}
