/**
 * The protocol by which other objects take part in {@link wait}: an object with a method under the
 * registered symbol `Symbol.for('multiproc.waitable')` that returns a {@link WaitReadiness}. core's
 * `Process` and its `sentinel` implement it (ready once the process ended), so `wait()` mixes
 * connections, queues and processes as Python's `wait([conn, q._reader, p.sentinel])` does. The
 * symbol is registered (not a module's own) so that ipc needs nothing from the packages that
 * implement it, and two copies of the packages in one program still agree.
 */

/**
 * The key of the method `wait()` calls on an object that is not a connection or a queue:
 * `Symbol.for('multiproc.waitable')`.
 * @example
 * import { wait, waitable } from '@multiproc/ipc';
 * let done = false;
 * const listeners = new Set<() => void>();
 * const flag = {
 *   [waitable]: () => ({
 *     ready: () => done,
 *     onReady: (listener: () => void) => (listeners.add(listener), () => listeners.delete(listener)),
 *   }),
 * };
 * setTimeout(() => { done = true; for (const l of listeners) l(); }, 10);
 * console.log((await wait([flag], 1000)).length); // 1
 */
export const waitable: unique symbol = Symbol.for('multiproc.waitable');

/** What the {@link waitable} method returns: the object's readiness, for one `wait()` call. */
export interface WaitReadiness {
  /** Whether the object is ready now (a process: it has ended). */
  ready(): boolean;
  /**
   * Calls `listener` once, when the object becomes ready (not again after that); returns a
   * function that removes the listener. `wait()` removes it when it settles.
   */
  onReady(listener: () => void): () => void;
}

/** An object `wait()` accepts besides connections and queues. */
export interface WaitableObject {
  /** Returns the object's readiness for one `wait()` call. */
  [waitable](): WaitReadiness;
}

/**
 * Whether `value` implements the {@link waitable} protocol.
 * @example
 * import { defineTasks, isMain, Process } from '@multiproc/multiproc';
 * import { isWaitableObject } from '@multiproc/ipc';
 * export const tasks = defineTasks(import.meta.url, {
 *   nap: (ms: number) => new Promise((resolve) => setTimeout(resolve, ms)),
 * });
 * if (isMain()) {
 *   const p = new Process({ target: tasks.nap, args: [10] });
 *   p.start();
 *   console.log(isWaitableObject(p.sentinel), isWaitableObject({})); // true false
 *   await p.join();
 * }
 */
export function isWaitableObject(value: unknown): value is WaitableObject {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as Partial<WaitableObject>)[waitable] === 'function'
  );
}
