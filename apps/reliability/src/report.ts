/**
 * What every suite reports, and the one summary line `pnpm soak` prints per suite: rounds,
 * deaths, calls settled, items lost, items run twice, handles leaked, RSS slope.
 */

/** The outcome of one suite run. */
export interface SuiteReport {
  readonly suite: string;
  rounds: number;
  /** Workers, processes or consumers that died on purpose (killed, exited, crashed). */
  deaths: number;
  /** Calls (or gets/recvs) that settled. */
  settled: number;
  /** Items neither received nor reported lost with the death that took them. */
  lost: number;
  /** Items run, or received, more than once. */
  twice: number;
  /** Handles (fds, threads, children, event-loop resources) held after the run beyond the start. */
  leaked: number;
  /**
   * Calls with no deadly item of their own that a death in the same round rejected with
   * `WorkerCrashedError`: allowed only by pool chaos's `exact: false` (the Pool before #12).
   */
  collateral?: number;
  /** Least-squares slope of RSS over the rounds, bytes per round (`undefined`: not measured). */
  rssSlope?: number;
  /** Each broken promise, described (empty when the suite passed). */
  readonly failures: string[];
  durationMs: number;
}

/** A fresh report for `suite`. */
export function newReport(suite: string): SuiteReport {
  return {
    suite,
    rounds: 0,
    deaths: 0,
    settled: 0,
    lost: 0,
    twice: 0,
    leaked: 0,
    failures: [],
    durationMs: 0,
  };
}

/**
 * Records a broken promise (kept to the first 20, so a bad run stays readable); `always` keeps it
 * past that limit (the end-of-run checks: leaks, hangs).
 */
export function fail(report: SuiteReport, what: string, always = false): void {
  if (report.failures.length < 20 || always) report.failures.push(what);
  else if (report.failures.length === 20) report.failures.push('... (more failures left out)');
}

/** The least-squares slope of `ys` over their indexes (0 with fewer than 2 points). */
export function slope(ys: readonly number[]): number {
  const n = ys.length;
  if (n < 2) return 0;
  const meanX = (n - 1) / 2;
  const meanY = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (i - meanX) * (ys[i]! - meanY);
    den += (i - meanX) ** 2;
  }
  return num / den;
}

/** The summary line of one suite. */
export function formatLine(r: SuiteReport): string {
  const rss =
    r.rssSlope === undefined ? 'n/a' : `${r.rssSlope >= 0 ? '+' : ''}${Math.round(r.rssSlope)} B/round`;
  const verdict = r.failures.length === 0 ? 'ok' : `FAILED (${r.failures.length})`;
  return (
    `${r.suite.padEnd(24)} rounds=${r.rounds} deaths=${r.deaths} settled=${r.settled} lost=${r.lost} ` +
    `twice=${r.twice} leaked=${r.leaked} rss-slope=${rss}` +
    `${r.collateral === undefined ? '' : ` collateral=${r.collateral}`} ${(r.durationMs / 1000).toFixed(1)}s ${verdict}`
  );
}

/** A small seeded PRNG (mulberry32), so a failing round can be replayed from its seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs `promise` but rejects with a named error after `ms`: a hang fails the round, not the run. */
export async function within<T>(promise: PromiseLike<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HangError(`${what} did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, limit]);
  } finally {
    clearTimeout(timer);
  }
}

/** A call that did not settle in time. */
export class HangError extends Error {
  override readonly name = 'HangError';
}
