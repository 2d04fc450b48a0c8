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

/** The draws of one seed: `random()` in [0, 1), an integer `between(lo, hi)` (both ends included), `pick(xs)` one of `xs`. */
export interface Draws {
  readonly random: () => number;
  readonly between: (lo: number, hi: number) => number;
  readonly pick: <T>(xs: readonly T[]) => T;
}

/** The draws a schedule makes from `seed`, all from one {@link prng} stream, so a seed replays. */
export function draws(seed: number): Draws {
  const random = prng(seed);
  return {
    random,
    between: (lo, hi) => lo + Math.floor(random() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!,
  };
}

/**
 * How a schedule ends alike: `watchSchedule()` starts collecting unhandled rejections; its
 * `end()` waits up to `tries` x 20 ms for `pids` to end, then adds to `faults` the processes left,
 * the `Process`es still counted by `activeChildren` (when given) and each unhandled rejection, stops
 * collecting, and returns the faults, each prefixed with the schedule's config as JSON.
 */
export function watchSchedule(): {
  end(
    faults: string[],
    config: unknown,
    options: { pids: Iterable<number>; tries: number; activeChildren?: () => unknown[] },
  ): Promise<string[]>;
} {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  return {
    async end(faults, config, { pids, tries, activeChildren }) {
      const all = [...pids];
      for (let i = 0; i < tries && all.some(isRunning); i++) await pause(20);
      const left = all.filter(isRunning);
      if (left.length > 0) faults.push(`processes left: ${left.join(',')}`);
      const children = activeChildren?.().length ?? 0;
      if (children > 0) faults.push(`activeChildren: ${children}`);
      process.off('unhandledRejection', onUnhandled);
      for (const reason of unhandled) faults.push(`unhandled rejection: ${String(reason)}`);
      return faults.map((f) => `${JSON.stringify(config)} ${f}`);
    },
  };
}

/** The ways a schedule stops a `Process` from outside: its `kill()`, its `terminate()`, or a raw SIGKILL to its pid. */
export type OutsideEnd = 'kill' | 'sigkill' | 'terminate';

/**
 * Stops `p` by `end` once `ms` have passed, unless it has already ended; calls `onStop()` just
 * before stopping it. Returns the timer (for the schedule to clear).
 */
export function stopLater(
  p: { isAlive(): boolean; readonly pid: number | undefined; kill(): void; terminate(): unknown },
  end: OutsideEnd,
  ms: number,
  onStop: () => void,
): ReturnType<typeof setTimeout> {
  return setTimeout(() => {
    if (!p.isAlive()) return;
    onStop();
    if (end === 'sigkill') {
      try {
        process.kill(p.pid as number, 'SIGKILL');
      } catch {}
    } else if (end === 'kill') p.kill();
    else void p.terminate();
  }, ms);
}
