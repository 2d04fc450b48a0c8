/**
 * The pools of this realm not yet stopped (running, or closed and not joined), so that a worker
 * thread that ends terminates those its tasks left open, as Python's exit function runs an open
 * Pool's finalizer (`_terminate_pool`) before its process ends. A thread's 'process' workers are
 * children of the whole program, which only the thread that forked them can reap: a thread that
 * ended with them still running left them as zombies until the program exited. Two ends are
 * covered: the thread's loop running dry with nothing left to run (`'beforeExit'`: a `Process`
 * target's end) and a pool worker ended in order (`worker/join-children.ts`). The registry
 * lives on `globalThis`: the worker's own code and the task modules' copy of this library (a
 * bundle of its own) must see the same pools.
 * `worker.terminate()` ends a thread at once, and a verdict of a task that never settles exits at
 * once (`worker/loop-watch.ts`): no code follows those.
 */
import { isMainThread } from 'node:worker_threads';
import { gotWorkSince, type LoopStock, takeLoopStock } from '../internal/loop-work.js';

interface Stoppable {
  terminate(): Promise<void>;
}

/**
 * This realm's pools not yet stopped, each with its `terminate()` once one began (a pool dropped
 * unreferenced is terminated by the garbage collector: its workers are still ending), and whether
 * its `'beforeExit'` listener is on: one for every copy of this module.
 */
interface OpenPools {
  readonly pools: Map<Stoppable, Promise<void> | undefined>;
  listening: boolean;
}

const KEY = Symbol.for('multiproc.openPools');
const state = ((globalThis as Record<symbol, unknown>)[KEY] ??= {
  pools: new Map<Stoppable, Promise<void> | undefined>(),
  listening: false,
}) as OpenPools;

/** `pool` runs (or is closed and not joined yet). */
export function poolOpened(pool: Stoppable): void {
  state.pools.set(pool, undefined);
  if (state.listening || isMainThread) return;
  state.listening = true;
  // Only once the realm is ending: the loop ran dry and no 'beforeExit' listener gave it work, nor
  // any of their verdicts (a wait that looks again later, internal/loop-work.ts), which run in
  // microtasks queued by this emit: this check is queued behind them. A task or target still waiting
  // (on a shared Event, say) keeps its pools. The stock is taken first, before any listener runs.
  let stock: LoopStock;
  process.prependListener('beforeExit', () => {
    stock = takeLoopStock();
  });
  process.on('beforeExit', () =>
    queueMicrotask(() =>
      queueMicrotask(() => {
        if (!gotWorkSince(stock)) void terminateOpenPools();
      }),
    ),
  );
}

/** `pool` is being terminated (`done` resolves once its workers have ended). */
export function poolTerminating(pool: Stoppable, done: Promise<void>): void {
  if (!state.pools.has(pool)) return;
  state.pools.set(pool, done);
  const forget = () => {
    if (state.pools.get(pool) === done) state.pools.delete(pool);
  };
  done.then(forget, forget);
}

/** `pool` has stopped (its `join()` ended). */
export function poolStopped(pool: Stoppable): void {
  state.pools.delete(pool);
}

/**
 * Terminates the pools still open in this realm (waits for those being terminated); resolves once
 * their workers have ended, or at once (`undefined`) when there is none.
 */
export function terminateOpenPools(): Promise<void> | undefined {
  if (state.pools.size === 0) return undefined;
  const ends = [...state.pools].map(([pool, stopping]) => stopping ?? pool.terminate());
  return Promise.allSettled(ends).then(() => {});
}
