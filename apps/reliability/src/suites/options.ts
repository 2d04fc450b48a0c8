/** What a suite run is told: how long, and how hard. */
export interface SuiteOptions {
  /** How many rounds (CI: a few dozen; soak: thousands). */
  readonly rounds: number;
  /** The seed of the run's PRNG; a failure names the seed and round to replay. */
  readonly seed?: number;
  /** Stop starting rounds after this many ms (soak runs are bounded by time). */
  readonly budgetMs?: number;
  /** Where the suite writes its logs (a fresh temporary directory when left out). */
  readonly dir?: string;
}

/** The 'thread' and 'process' contexts. */
export const CONTEXTS = ['thread', 'process'] as const;
export type Context = (typeof CONTEXTS)[number];

/** Whether the run is out of rounds or time. */
export function done(options: SuiteOptions, round: number, startedAt: number): boolean {
  return (
    round >= options.rounds || (options.budgetMs !== undefined && Date.now() - startedAt > options.budgetMs)
  );
}
