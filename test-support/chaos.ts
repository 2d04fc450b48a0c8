/**
 * What the randomized (chaos) schedules of every package share: a seeded PRNG, so a failing
 * schedule replays from its seed; a pause; whether a pid still runs; a bound on a promise, so a
 * hang fails one schedule instead of the run; and the seed list a run is told in the environment.
 */

/** mulberry32: a small seeded PRNG returning numbers in [0, 1); the same seed, the same numbers. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Resolves after `ms` milliseconds. */
export const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether a process with this pid still runs (or is a zombie not reaped yet). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * `promise`, or a rejection once `ms` pass first: `Error("<what> did not settle in <ms> ms")`, or
 * the message `what()` returns then.
 */
export function within<T>(promise: Promise<T>, ms: number, what: string | (() => string)): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(typeof what === 'string' ? `${what} did not settle in ${ms} ms` : what())),
      ms,
    );
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/**
 * The seeds a run is told: `text` (an environment variable's value) is one seed, a comma list or
 * `from-to`; without it, `fallback()`.
 */
export function seedList(text: string | undefined, fallback: () => number[]): number[] {
  if (text?.includes('-')) {
    const [a, b] = text.split('-').map(Number) as [number, number];
    return Array.from({ length: b - a + 1 }, (_, i) => a + i);
  }
  if (text) return text.split(',').map(Number);
  return fallback();
}
