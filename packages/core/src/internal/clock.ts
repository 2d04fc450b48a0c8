/**
 * A monotonic clock in milliseconds that loads nothing. `performance.now()` would do, but the first
 * use of `performance` in a realm loads Node's whole `perf_hooks` implementation (about 2 ms of CPU
 * on Node 20, measured in a fresh process), and a pool worker reads the clock around its first task
 * (issue #18).
 */
export function clockMs(): number {
  const [s, ns] = process.hrtime();
  return s * 1e3 + ns / 1e6;
}
