/**
 * How the adapter (`tinypool.ts`) starts and stops a pool's workers: their environment, and
 * waiting for a thread to finish loading before it is terminated (Node 20).
 */
import type { Worker } from 'node:worker_threads';
import { currentProcess } from '../identity.js';
import { childDepth } from '../internal/bootstrap.js';
import { reapedEnv } from '../internal/reaper.js';

/**
 * The environment of a pool's workers: the program's, plus who their parent is, plus (children
 * only) the reaper's variable, so a child skips its watchdog thread and a second V8 isolate at
 * start-up, as a `Process` child does (`internal/reaper.ts`).
 */
export function poolEnv(threads: boolean): Record<string, string> {
  const env = {
    ...(process.env as Record<string, string>),
    MULTIPROC_POOL_PARENT: JSON.stringify({
      pid: process.pid,
      name: currentProcess().name,
      depth: childDepth(),
    }),
  };
  return threads ? env : (reapedEnv(env) as Record<string, string>);
}

/** Whether terminating a thread that is still importing modules leaks a file descriptor (Node 20). */
export const LOADER_LEAKS_FDS = Number(process.versions.node.split('.')[0]) < 22;
/** How long a pool waits for a starting thread to load before it terminates it anyway (ms). */
export const LOADING_MS = 2000;

/** Resolves once `thread` says it is ready (its modules are loaded) or exits. */
export function loadedOrExited(thread: Worker): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (message: { ready?: unknown }) => {
      if (message?.ready === true) done();
    };
    const done = () => {
      thread.off('message', onMessage);
      thread.off('exit', done);
      resolve();
    };
    thread.on('message', onMessage);
    thread.once('exit', done);
  });
}
