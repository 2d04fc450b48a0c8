/** The suites the CLI can select, in the order they run. */
export const SUITES = [
  'pool',
  'process',
  'ipc',
  'shared',
  'memory',
  'managers',
  'bullmq',
  'workloads',
] as const;
export type SuiteName = (typeof SUITES)[number];

/** Units a case reports in. Rates are per second; `x` is a dimensionless factor. */
export type Unit = 'items/s' | 'msgs/s' | 'pairs/s' | 'incs/s' | 'B/s' | 'ms' | 'µs' | 'MB' | 'x' | '%';

/** Who a case measures: our code, a Node peer library, a raw Node baseline, or Python. */
export type CaseKind = 'multiproc' | 'peer' | 'baseline' | 'python';

/** Problem sizes; `--quick` swaps in tiny ones. */
export interface Sizes {
  /** Items for `map`-style cases (issue 6: 100k). */
  poolItems: number;
  /** Items for one-call-per-item cases. */
  perItemItems: number;
  /** Items per hand-batched chunk for the peers. */
  batch: number;
  /** CPU-bound tasks and their target duration. */
  cpuTasks: number;
  cpuTaskMs: number;
  /** Items of the generator in the memory suite (issue 6: 10M). */
  memItems: number;
  /** Start+join repetitions averaged into one sample. */
  starts: number;
  /** Small messages one way. */
  smallMsgs: number;
  /** Round trips. */
  roundTrips: number;
  /** 64 KiB messages one way. */
  bigMsgs: number;
  /** Lock acquire/release pairs (Python; Node uses tinybench with `benchTimeMs`). */
  lockPairs: number;
  /** Locked increments per worker (issue 3: 1M). */
  increments: number;
  /** 64-byte ring-buffer messages. */
  ringSmallMsgs: number;
  /** Idle window for CPU-use cases. */
  idleMs: number;
  /** tinybench time budget per run. */
  benchTimeMs: number;
  /** Items of the raw BullMQ baseline, one job each (issue 17; it does ~1-3k jobs/s). */
  bullmqRawItems: number;
  /** Sleep-bound items of the worker-scaling cases, and how long each sleeps (issue 17: 50 ms). */
  sleepItems: number;
  sleepMs: number;
  /** Total size of the real `.js` files the `workloads` suite runs over (issue 18). */
  workloadBytes: number;
  /** Bytes of the big buffer and big string sent through a pool and back (16 MiB). */
  bigArgBytes: number;
  /** Small objects in the big array sent through a pool and back (100k). */
  bigArgItems: number;
}

/** What a case is given when it runs. */
export interface CaseContext {
  /** How many samples to keep. */
  readonly runs: number;
  /**
   * How many samples to take and discard before them (`--warmup`, default 1; `--quick`: 0; always
   * 0 for a case with `noWarmup`). Pass both to `sampleRuns` or to the Python script.
   */
  readonly warmup: number;
  readonly quick: boolean;
  readonly sizes: Sizes;
}

/** What a case returns: one sample per run, in the case's unit. */
export interface Measurement {
  samples: number[];
  /** p99 from tinybench, in the case's unit (the slow tail: a rate at the p99 latency). */
  p99?: number;
  /** Anything worth keeping beside the samples (a correctness check, a chunk size). */
  extra?: Record<string, unknown>;
}

/** One benchmark case. */
export interface BenchCase {
  /** Stable id, `suite/question/impl`. */
  id: string;
  suite: SuiteName;
  /** The question this case answers; cases in one group are compared with each other. */
  group: string;
  /** What is measured, for the table. */
  title: string;
  /** Who runs it: `multiproc (thread)`, `tinypool`, `python 3.11`... */
  impl: string;
  kind: CaseKind;
  unit: Unit;
  better: 'higher' | 'lower';
  /** Upper bound of samples for slow cases (each sample takes seconds). */
  maxRuns?: number;
  /**
   * Why this case takes no warm-up sample: each sample is cold by design (a fresh process per
   * sample), or the case already warms itself up the same way as the rest of its group. Every case
   * of a group sets it alike, so a group compares like with like.
   */
  noWarmup?: string;
  /**
   * Says why the case cannot run here (a multiproc API not landed yet, no python3), or `undefined`
   * when it can. Checked before `measure`.
   */
  unavailable?: () => Promise<string | undefined>;
  /**
   * What the case is doing now (`starting 2 multiproc-worker processes`, `sample 3`), for the
   * note of a case that ran past its time bound: set-up, warm-up and samples cost alike there.
   */
  stage?: () => string;
  /**
   * The `--quick` time bound (ms), for a case whose set-up alone can take tens of seconds on a
   * busy machine (it starts several Node processes); default 30 s.
   */
  quickTimeoutMs?: number;
  measure(ctx: CaseContext): Promise<Measurement>;
}

export type CaseStatus = 'ok' | 'pending' | 'skipped' | 'error';

/** A case's outcome, as written to `latest.json`. */
export interface CaseResult {
  id: string;
  suite: SuiteName;
  group: string;
  title: string;
  impl: string;
  kind: CaseKind;
  unit: Unit;
  better: 'higher' | 'lower';
  status: CaseStatus;
  note?: string;
  /** Warm-up samples taken and discarded before `samples` (absent when the case did not run). */
  warmup?: number;
  samples: number[];
  median?: number;
  mean?: number;
  min?: number;
  max?: number;
  p99?: number;
  extra?: Record<string, unknown>;
  /** Wall time the case took, samples and setup included. */
  wallMs: number;
}
