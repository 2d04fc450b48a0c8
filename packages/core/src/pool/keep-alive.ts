/**
 * What keeps the program alive while a pool wait is pending (a call, `join()`, `terminate()`):
 * one ref'd timer for every pool of this thread, held while at least one of them is awaited.
 *
 * A pool's own handles cannot do it. tinypool unrefs an idle or starting worker (so an idle pool
 * lets the program end; the port it talks to a starting one on is unref'd in `starting-port.ts`)
 * and refs one only while a task is posted to it, after it is ready; a
 * child's IPC channel and output pipes stay unref'd to the end. So while workers start, and while
 * `join()` waits for an exited child's last output, nothing was ref'd: Node found the loop empty
 * and ended the program with the await unsettled (exit code 13), skipping the code after it.
 *
 * Holding is only as long as something live can still settle the wait: a call whose workers
 * cannot start is rejected (`start-policy.ts`), and `destroy()` is bounded by its timeouts.
 */

/** Longer than any wait needs: the timer only holds the loop, it never fires in practice. */
const HOLD_INTERVAL_MS = 2 ** 31 - 1;

let holds = 0;
let timer: NodeJS.Timeout | undefined;

/**
 * Keeps the program alive until the returned function is called (once; later calls do nothing).
 * Holds nest: the loop is free once every hold has been released.
 */
export function holdLoop(): () => void {
  if (holds++ === 0) timer = setInterval(() => {}, HOLD_INTERVAL_MS);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--holds > 0) return;
    clearInterval(timer);
    timer = undefined;
  };
}

/** `promise`, keeping the program alive until it settles. */
export function whileHeld<T>(promise: Promise<T>): Promise<T> {
  const release = holdLoop();
  return promise.finally(release);
}
