/**
 * What the "a timeout is never cut short" tests of every package share: each timed call is tried
 * with fractional and whole timeouts, twice, and measured on `performance.now()`'s clock, the one
 * a timeout is a lower bound on (Node's timers and `Atomics.waitAsync` may end up to about 1 ms
 * early on it).
 */

/** Fractional and whole timeouts (ms), short enough to try each several times. */
export const TIMEOUTS = [0.4, 1.5, 3, 7.5, 10, 12.3];

/**
 * By how much `call(ms)` fell short of `ms`, for every timeout of {@link TIMEOUTS}, twice: an
 * empty list when it never did. A rejection named in `expected` is how the call times out; any
 * other is rethrown.
 */
export async function shortfalls(
  call: (ms: number) => unknown,
  expected: readonly string[] = ['TimeoutError'],
): Promise<number[]> {
  const short: number[] = [];
  for (const ms of [...TIMEOUTS, ...TIMEOUTS]) {
    const t0 = performance.now();
    try {
      await call(ms);
    } catch (err) {
      if (!expected.includes((err as Error).name)) throw err;
    }
    const elapsed = performance.now() - t0;
    if (elapsed < ms) short.push(ms - elapsed);
  }
  return short;
}
