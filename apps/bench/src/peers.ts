/**
 * The Node peers behind one small interface: tinypool, piscina and workerpool, each with a fixed
 * number of workers running the same task module (fixtures/square-task.cjs).
 */
import { Piscina } from 'piscina';
import { Tinypool } from 'tinypool';
import workerpool from 'workerpool';
import { fixturePath, fixtureUrl } from './paths.js';

export type PeerName = 'tinypool' | 'piscina' | 'workerpool';

/** A peer pool, reduced to what the cases call. */
export interface PeerPool {
  /** One task per item: `run(x)` / `exec('square', [x])`. */
  item(x: number): Promise<number>;
  /** A named task with one argument. */
  call(name: 'squareBatch' | 'burn' | 'noop', arg: unknown): Promise<any>;
  destroy(): Promise<void>;
}

/**
 * Starts `workers` workers of a peer; `runtime: 'process'` is tinypool's child_process runtime.
 * `inheritEnv` gives tinypool's children this program's environment, as multiproc's (and Python's)
 * children get it: by default tinypool passes them only its own variables, and what the environment
 * asks of every Node process at start-up (`NODE_EXTRA_CA_CERTS`: Node 20 reads and parses the whole
 * file, ~100 ms of CPU on a system CA bundle) is then skipped by its children only.
 */
export function createPeer(
  name: PeerName,
  workers: number,
  runtime: 'thread' | 'process' = 'thread',
  inheritEnv = false,
): PeerPool {
  const href = fixtureUrl('square-task.cjs').href;
  if (name === 'tinypool') {
    const pool = new Tinypool({
      filename: href,
      minThreads: workers,
      maxThreads: workers,
      runtime: runtime === 'thread' ? 'worker_threads' : 'child_process',
      ...(inheritEnv ? { env: process.env as Record<string, string> } : {}),
    });
    return {
      item: (x) => pool.run(x),
      call: (task, arg) => pool.run(arg, { name: task }),
      destroy: () => pool.destroy(),
    };
  }
  if (name === 'piscina') {
    const pool = new Piscina({ filename: href, minThreads: workers, maxThreads: workers });
    return {
      item: (x) => pool.run(x),
      call: (task, arg) => pool.run(arg, { name: task }),
      destroy: () => pool.destroy(),
    };
  }
  const pool = workerpool.pool(fixturePath('workerpool-worker.mjs'), {
    minWorkers: workers,
    maxWorkers: workers,
    workerType: 'thread',
  });
  return {
    item: (x) => pool.exec('square', [x]) as Promise<number>,
    call: (task, arg) => pool.exec(task, [arg]) as Promise<any>,
    destroy: async () => {
      await pool.terminate();
    },
  };
}

/** `0..n-1` as a plain array. */
export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** `xs` cut into chunks of `size`. */
export function chunk<T>(xs: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}
