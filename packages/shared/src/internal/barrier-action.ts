/**
 * How a `Barrier`'s action runs: a plain function directly, a sendable action (a `TaskRef`)
 * through the runner `@multiproc/core` installs in each thread.
 */
import { type Encodable, isEncodable } from '../codec.js';
import { ContextError } from '../errors.js';

const RUNNER_KEY = Symbol.for('multiproc.barrierActionRunner');

/** What runs when the last party arrives: a function (this thread only) or a sendable task reference. */
export type BarrierAction = (() => unknown) | Encodable;

/**
 * Installs how a sendable (encodable) barrier action is run in this thread; beyond Python, whose
 * actions are pickled callables. `@multiproc/core` calls this with a runner for its `TaskRef`s;
 * you only need it for your own action objects. Without a runner, such an action breaks the
 * barrier and its last party gets a `ContextError`.
 * @param runner called with the action object; may return a Promise (awaited by `wait()`).
 * @example
 * setBarrierActionRunner((action) => (action as { run(): unknown }).run());
 */
export function setBarrierActionRunner(runner: (action: Encodable) => unknown): void {
  (globalThis as Record<symbol, unknown>)[RUNNER_KEY] = runner;
}

/** Runs `action` in this thread; returns what it returned (maybe a Promise). @internal */
export function runAction(action: BarrierAction | undefined): unknown {
  if (action === undefined) return undefined;
  if (typeof action === 'function' && !isEncodable(action)) return action();
  const runner = (globalThis as Record<symbol, ((a: Encodable) => unknown) | undefined>)[RUNNER_KEY];
  if (runner === undefined) {
    throw new ContextError(
      'This Barrier has a task-reference action but no action runner is installed in this thread. ' +
        "Import '@multiproc/core' here (it installs one), or call setBarrierActionRunner().",
    );
  }
  return runner(action as Encodable);
}
