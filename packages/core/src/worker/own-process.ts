/**
 * The worker's own `process`, put back after each task: a task may replace `globalThis.process`
 * (tinypool's suite does, with `globalThis.process = { exit: resolve }`), and the code that runs the
 * task and answers for it (this package's and tinypool's worker entries) reads the global: replaced,
 * it could not time, send or report anything, and the worker's every later call failed. What the
 * task did stays its own: it sees its replacement until it returns (or its promise settles).
 */

// Read at load, before any task ran.
const own = globalThis.process;

/** Puts the worker's own `process` back on `globalThis` if a task replaced (or deleted) it. */
export function restoreProcess(): void {
  if (globalThis.process === own) return;
  try {
    // As Node's own setter of `globalThis.process` defines it (its getter would return the
    // replacement: defining the original accessor again does not undo an assignment).
    Object.defineProperty(globalThis, 'process', { value: own, writable: true, configurable: true });
  } catch {
    // The task made it non-configurable: nothing can put it back.
  }
}
