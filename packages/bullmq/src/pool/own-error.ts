/**
 * One error for each call a pool-wide failure ends (`terminate()`, Redis lost, the pool reaped):
 * each pending or later call rejects with a copy of it (same class, message, stack, `cause` and own
 * fields), so what is added to one call's error, the frames of the line that awaited it, is not
 * seen on the others'. Python's `ProcessPoolExecutor` shared one `BrokenProcessPool` among its
 * futures, whose traceback grew with every raise (python/cpython#101267).
 */
export function ownError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const copy = new Error(error.message);
  Object.setPrototypeOf(copy, Object.getPrototypeOf(error));
  for (const key of Reflect.ownKeys(error)) {
    Object.defineProperty(copy, key, Object.getOwnPropertyDescriptor(error, key) as PropertyDescriptor);
  }
  return copy;
}
