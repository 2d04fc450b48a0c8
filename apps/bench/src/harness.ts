import type { BenchCase, CaseContext, CaseResult } from './types.js';

/** Median of a list of numbers (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Milliseconds since an arbitrary origin, sub-millisecond precise. */
export function nowMs(): number {
  return performance.now();
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Rejects with a clear message when `promise` takes longer than `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A case keeps at least this many samples... */
const MIN_SAMPLES = 3;
/** ...but takes no more once its samples have used this much time (keeps `pnpm bench` < 10 min). */
const SAMPLE_BUDGET_MS = 20_000;

/** How many samples to keep, and how many to take and discard before them. */
export interface SamplePlan {
  /** Samples kept (the figures reported). */
  readonly runs: number;
  /** Samples taken first and thrown away: JIT, lazy imports, first allocations (0 = none). */
  readonly warmup: number;
}

/**
 * Takes `plan.warmup` samples of `once` and discards them, then up to `plan.runs` kept samples,
 * each `once` returning one value. Shared by cases that set up once and then time repeated runs.
 * `once` gets the sample's index counted over warm-up and kept samples alike (0, 1, 2...), so an
 * index used as an id stays unique. A slow case stops after `MIN_SAMPLES` kept samples once it has
 * used its time budget (the warm-up not counted, as in the Python cases).
 */
export async function sampleRuns(
  plan: SamplePlan,
  once: (run: number) => Promise<number>,
): Promise<number[]> {
  let run = 0;
  for (; run < plan.warmup; run++) await once(run);
  const samples: number[] = [];
  const started = nowMs();
  for (let kept = 0; kept < plan.runs; kept++, run++) {
    if (samples.length >= MIN_SAMPLES && nowMs() - started > SAMPLE_BUDGET_MS) break;
    samples.push(await once(run));
  }
  return samples;
}

type WaitAsync = (
  cells: Int32Array,
  index: number,
  value: number,
  timeoutMs: number,
) => { async: boolean; value: Promise<string> | string };
// Node 20 has Atomics.waitAsync; the ES2023 lib this app compiles against does not declare it.
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

/**
 * Resolves once `cells[index] >= target`, without blocking the event loop. Rejects when
 * `isGone()` says the workers that should raise it have ended (checked every 100 ms).
 */
export async function waitUntil(
  cells: Int32Array,
  index: number,
  target: number,
  isGone: () => boolean = () => false,
): Promise<void> {
  for (;;) {
    const v = Atomics.load(cells, index);
    if (v >= target) return;
    if (isGone()) throw new Error('a worker ended before it signalled (see its stderr)');
    const w = waitAsync(cells, index, v, 100);
    if (w.async) await w.value;
  }
}

/** Items (or messages, or bytes) per second from a count and a duration in ms. */
export function perSecond(count: number, ms: number): number {
  return ms > 0 ? (count * 1000) / ms : Number.POSITIVE_INFINITY;
}

/** A generous bound per case, so a hung implementation fails that case instead of the run. */
const CASE_TIMEOUT_MS = 180_000;
const QUICK_CASE_TIMEOUT_MS = 30_000;

/**
 * Runs one case: checks that it can run (pending or skipped otherwise), takes its samples within a
 * time bound, and summarises them. Never throws: a failure becomes an `error` result.
 */
export async function runCase(c: BenchCase, ctx: CaseContext): Promise<CaseResult> {
  const base = {
    id: c.id,
    suite: c.suite,
    group: c.group,
    title: c.title,
    impl: c.impl,
    kind: c.kind,
    unit: c.unit,
    better: c.better,
  };
  const started = nowMs();
  const reason = c.unavailable
    ? await c.unavailable().catch((e: unknown) => `check failed: ${e}`)
    : undefined;
  if (reason !== undefined) {
    const status = c.kind === 'multiproc' ? 'pending' : 'skipped';
    return { ...base, status, note: reason, samples: [], wallMs: nowMs() - started };
  }
  const runs = Math.max(1, Math.min(ctx.runs, c.maxRuns ?? ctx.runs));
  const warmup = c.noWarmup === undefined ? ctx.warmup : 0;
  try {
    const limit = ctx.quick ? (c.quickTimeoutMs ?? QUICK_CASE_TIMEOUT_MS) : CASE_TIMEOUT_MS;
    const measuring = c.measure({ ...ctx, runs, warmup });
    const m = await withTimeout(measuring, limit, c.id).catch((error: unknown) => {
      // A bound run past says where the case was: its set-up (processes starting) or a sample.
      const stage = c.stage?.();
      if (stage !== undefined && error instanceof Error && /took longer than/.test(error.message)) {
        error.message += `, while ${stage}`;
      }
      throw error;
    });
    if (m.samples.length === 0 || m.samples.some((s) => !Number.isFinite(s))) {
      throw new Error(`bad samples: ${JSON.stringify(m.samples)}`);
    }
    return {
      ...base,
      status: 'ok',
      warmup,
      samples: m.samples,
      median: median(m.samples),
      mean: m.samples.reduce((a, b) => a + b, 0) / m.samples.length,
      min: Math.min(...m.samples),
      max: Math.max(...m.samples),
      ...(m.p99 !== undefined ? { p99: m.p99 } : {}),
      ...(m.extra ? { extra: m.extra } : {}),
      wallMs: nowMs() - started,
    };
  } catch (error) {
    const note = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { ...base, status: 'error', note, samples: [], wallMs: nowMs() - started };
  }
}
