/**
 * Starting a worker of the BullMQ pool in this process (`worker.ts`): what `multiproc-worker`
 * runs, and the handle that stops it.
 */
import type { WorkerOptions } from './options.js';
import { RemoteWorker } from './worker.js';

/** A running worker, as {@link startWorker} returns it. */
export interface WorkerHandle {
  /** Its id in Redis and in BullMQ: `<host>:<pid>:<random>`. */
  readonly id: string;
  /** The portable ids of the tasks it answers (`tasks#square`). */
  readonly tasks: readonly string[];
  /**
   * Stops serving: running jobs may finish for `grace` ms (default: the `grace` option), then go
   * back to their queues for other workers; then the local pool and connections close.
   */
  stop(options?: { grace?: number | undefined }): Promise<void>;
  /** Resolves once it has stopped. */
  readonly stopped: Promise<void>;
}

/**
 * Starts a worker that serves BullMQ pools from this process: what the `multiproc-worker` command
 * runs, for programs that embed it. It loads the given task modules (only those), runs jobs on a
 * local multiproc `Pool` of `concurrency` workers and writes one status line per event.
 * Python: `BaseManager.get_server().serve_forever()`.
 * @throws {ValidationError} for bad options, a missing secret, a task module that cannot load, or
 *   a live worker of the same prefix that loads other tasks.
 * @throws {RedisConnectionError} when Redis cannot be reached within `connectTimeout`.
 * @example
 * import { startWorker } from '@multiproc/bullmq';
 *
 * const worker = await startWorker({ tasks: ['./dist/tasks.js'], connection: 'redis://127.0.0.1:6379' });
 * process.once('SIGTERM', () => void worker.stop());
 * await worker.stopped;
 */
export async function startWorker(options: WorkerOptions): Promise<WorkerHandle> {
  const worker = createWorker(options);
  await worker.start();
  return worker;
}

/** A worker not started yet: the command line stops it on a signal that comes while it starts. */
export function createWorker(options: WorkerOptions): WorkerHandle & { start(): Promise<void> } {
  return new RemoteWorker(options, options?.log ?? ((line: string) => process.stdout.write(`${line}\n`)));
}
