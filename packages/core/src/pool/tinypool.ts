/**
 * Starts the tinypool instance behind a Pool. tinypool is imported on first use, not when this
 * package loads: every worker imports this package (task modules import `defineTasks` from it),
 * and only the host needs tinypool.
 */
import type { Tinypool } from 'tinypool';
import { currentProcess } from '../identity.js';
import { childDepth } from '../internal/bootstrap.js';
import { assertRuntimeSupports } from '../internal/runtime.js';
import { workerEntryUrl } from '../internal/worker-entries.js';
import type { ContextName } from '../options.js';
import type { PoolResourceLimits } from './options.js';

export interface TinypoolConfig {
  readonly context: ContextName;
  readonly processes: number;
  readonly minProcesses: number;
  readonly idleTimeout: number;
  readonly resourceLimits: PoolResourceLimits | undefined;
}

/**
 * Starts tinypool. Throws at once (so from `new Pool()`) when this runtime cannot run the pool
 * (`ContextError`) or the worker entry is missing (`WorkerEntryNotFoundError`); the rest is async.
 */
export function startTinypool(config: TinypoolConfig): Promise<Tinypool> {
  assertRuntimeSupports('Pool', config.context);
  const entry = workerEntryUrl('pool');
  return createTinypool(config, entry);
}

async function createTinypool(config: TinypoolConfig, entry: URL): Promise<Tinypool> {
  const { Tinypool } = await import('tinypool');
  const me = currentProcess();
  const env = {
    ...(process.env as Record<string, string>),
    MULTIPROC_POOL_PARENT: JSON.stringify({ pid: process.pid, name: me.name, depth: childDepth() }),
  };
  const limits = config.resourceLimits;
  const threads = config.context === 'thread';
  const tp = new Tinypool({
    filename: entry.href,
    runtime: threads ? 'worker_threads' : 'child_process',
    minThreads: config.minProcesses,
    maxThreads: config.processes,
    idleTimeout: config.idleTimeout,
    env,
    ...(threads
      ? { resourceLimits: limits }
      : {
          serialization: 'advanced' as const,
          execArgv: [
            ...process.execArgv,
            ...(limits?.maxOldGenerationSizeMb
              ? [`--max-old-space-size=${limits.maxOldGenerationSizeMb}`]
              : []),
          ],
        }),
  });
  // A worker that dies while idle is reported as a pool 'error' event; it is replaced on demand.
  tp.on('error', () => {});
  return tp;
}
