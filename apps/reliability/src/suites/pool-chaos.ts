/**
 * Pool chaos: rounds of `map`, `imap`, `imapUnordered` and `applyAsync` on one pool while its
 * workers die at random: `process.exit()`, an uncaught error, SIGKILL (process context), out of
 * memory under `resourceLimits`, and timeouts that stop a running task by recycling its worker.
 *
 * Checked every round (CONTRACT, Pool): every call settles within a bound; a call that resolves has
 * every result right, in order; a call rejects only for its own reason (a death among its own
 * items, its task error, its timeout); no item starts twice (each start is logged to a file, which
 * survives the worker); the pool keeps its worker count and still works. After the run: no worker
 * thread, child, timer, socket or fd is left.
 *
 * `exact: false` checks the Pool as it is before the failure-semantics issue (#12): a death may
 * also reject, with `WorkerCrashedError`, calls batched with the fatal one (counted as
 * `collateral`, never as lost); everything else above still holds.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool, TimeoutError, WorkerCrashedError } from '@multiproc/core';
import { fail, newReport, rng, type SuiteReport, slope, within } from '../report.js';
import { settleTo, snapshot } from '../resources.js';
import { type Fate, type Item, tasks } from '../tasks.js';
import { type Context, done, type SuiteOptions } from './options.js';

const CALL_BOUND_MS = 60_000;
const PROCESSES = 2;
const FATAL: Record<Context, Fate[]> = {
  thread: ['exit', 'uncaught'],
  process: ['exit', 'uncaught', 'kill'],
};

/** Pool chaos's options: `exact` (default true) is the contract's "only the running call dies". */
export interface PoolChaosOptions extends SuiteOptions {
  readonly exact?: boolean;
}

interface Call {
  readonly kind: 'map' | 'imap' | 'imapUnordered' | 'applyAsync';
  readonly items: Item[];
  readonly timeout?: number;
  outcome?: { ok: true; value: number[] } | { ok: false; error: unknown };
}

/** Runs pool chaos in `context`. */
export async function poolChaos(context: Context, options: PoolChaosOptions): Promise<SuiteReport> {
  const exact = options.exact ?? true;
  const report = newReport(`pool-chaos-${context}${exact ? '' : '-settles'}`);
  if (!exact) report.collateral = 0;
  const started = Date.now();
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'mp-chaos-'));
  const random = rng(options.seed ?? 1);
  // What lives as long as the program (the reaper started at the first fork, say) is made by a
  // warm-up pool before anything is counted, as the other leak checks do with a warm-up cycle.
  const warm = new Pool({ processes: 1, context });
  await within(warm.apply(tasks.identity, [0]), CALL_BOUND_MS, 'the warm-up pool').finally(() =>
    warm.terminate(),
  );
  const before = snapshot();
  const rss: number[] = [];
  const pool = new Pool({ processes: PROCESSES, context, resourceLimits: { maxOldGenerationSizeMb: 64 } });
  try {
    for (let round = 0; !done(options, round, started); round++) {
      await chaosRound(pool, context, round, dir, random, report, exact);
      report.rounds++;
      rss.push(process.memoryUsage.rss());
    }
    // Still serving, with its worker count: a fresh map succeeds.
    const log = join(dir, 'final.log');
    const items = Array.from({ length: 8 }, (_, x) => ({ x, fate: 'ok' as const, log }));
    const values = await within(pool.map(tasks.work, items), CALL_BOUND_MS, 'the final map');
    if (values.join() !== items.map((i) => i.x * 2).join())
      fail(report, 'the final map after chaos is wrong');
    if (pool.stats().workers > PROCESSES) fail(report, `the pool grew to ${pool.stats().workers} workers`);
  } finally {
    await within(pool.terminate(), CALL_BOUND_MS, 'pool.terminate()').catch((err: Error) =>
      fail(report, err.message, true),
    );
    const extra = await settleTo(before);
    report.leaked = extra.length;
    if (extra.length > 0) fail(report, `left open after terminate(): ${extra.join(', ')}`, true);
    if (options.dir === undefined) rmSync(dir, { recursive: true, force: true });
  }
  report.rssSlope = slope(rss);
  report.durationMs = Date.now() - started;
  return report;
}

async function chaosRound(
  pool: Pool,
  context: Context,
  round: number,
  dir: string,
  random: () => number,
  report: SuiteReport,
  exact: boolean,
): Promise<void> {
  const log = join(dir, `round-${round}.log`);
  writeFileSync(log, '');
  let next = 0;
  const fatal = FATAL[context];
  const fate = (pFatal: number): Fate => {
    const r = random();
    if (r < pFatal) return fatal[Math.floor(random() * fatal.length)]!;
    if (r < pFatal + 0.05) return 'error';
    return 'ok';
  };
  const items = (n: number, pFatal: number) =>
    Array.from({ length: n }, () => ({ x: next++, fate: fate(pFatal), log }));
  const calls: Call[] = [
    { kind: 'map', items: items(12, 0.02) },
    { kind: 'imap', items: items(12, 0.02) },
    { kind: 'imapUnordered', items: items(12, 0.02) },
    ...Array.from({ length: 8 }, () => ({ kind: 'applyAsync' as const, items: items(1, 0.08) })),
  ];
  if (random() < 0.15)
    calls.push({ kind: 'applyAsync', items: [{ x: next++, fate: 'slow', log }], timeout: 20 });
  if (random() < 0.03) calls.push({ kind: 'applyAsync', items: [{ x: next++, fate: 'oom', log }] });
  const chunksize = 1 + Math.floor(random() * 4);
  await Promise.all(
    calls.map(async (call) => {
      try {
        const value = await within(
          start(pool, call, chunksize),
          CALL_BOUND_MS,
          `round ${round} ${call.kind}`,
        );
        call.outcome = { ok: true, value };
      } catch (error) {
        call.outcome = { ok: false, error };
      }
      report.settled++;
    }),
  );
  check(calls, readFileSync(log, 'utf8'), round, report, exact);
}

function start(pool: Pool, call: Call, chunksize: number): Promise<number[]> {
  const { items } = call;
  switch (call.kind) {
    case 'map':
      return pool.map(tasks.work, items, { chunksize });
    case 'applyAsync':
      return pool.applyAsync(tasks.work, [items[0]!], { timeout: call.timeout }).then((v) => [v]);
    default: {
      const iterate =
        call.kind === 'imap'
          ? pool.imap(tasks.work, items, { chunksize })
          : pool.imapUnordered(tasks.work, items, { chunksize });
      return (async () => {
        const out: number[] = [];
        for await (const v of iterate) out.push(v);
        return call.kind === 'imap' ? out : out.sort((a, b) => a - b);
      })();
    }
  }
}

function check(calls: Call[], log: string, round: number, report: SuiteReport, exact: boolean): void {
  const starts = new Map<number, number>();
  for (const line of log.split('\n')) if (line) starts.set(Number(line), (starts.get(Number(line)) ?? 0) + 1);
  for (const [x, n] of starts) {
    if (n > 1) {
      report.twice++;
      fail(report, `round ${round}: item ${x} started ${n} times`);
    }
  }
  const isDeadly = (i: Item) => ['exit', 'uncaught', 'kill', 'oom'].includes(i.fate) && starts.has(i.x);
  // A timeout stops its task by recycling the worker: a death too, for what was batched with it.
  const roundHadDeath = calls.some((call) => call.timeout !== undefined || call.items.some(isDeadly));
  for (const call of calls) {
    const deadly = call.items.filter(isDeadly);
    report.deaths += deadly.length;
    const outcome = call.outcome!;
    const what = `round ${round} ${call.kind}(${call.items.map((i) => `${i.x}:${i.fate}`).join(',')})`;
    if (outcome.ok) {
      const want = call.items.map((i) => i.x * 2);
      if (call.kind === 'imapUnordered') want.sort((a, b) => a - b);
      if (outcome.value.join() !== want.join()) fail(report, `${what} resolved to ${outcome.value.join()}`);
      if (call.items.some((i) => i.fate !== 'ok' && i.fate !== 'slow'))
        fail(report, `${what} resolved despite a failing item`);
      continue;
    }
    const error = outcome.error as Error;
    const ownReason =
      (error instanceof WorkerCrashedError && deadly.length > 0) ||
      (error instanceof TimeoutError && call.timeout !== undefined) ||
      (error?.name === 'RangeError' && call.items.some((i) => i.fate === 'error'));
    if (!ownReason && !exact && error instanceof WorkerCrashedError && roundHadDeath) {
      report.collateral! += 1;
      continue;
    }
    if (!ownReason) {
      const innocent = call.items.filter((i) => i.fate === 'ok' || i.fate === 'slow');
      report.lost += innocent.length;
      fail(report, `${what} rejected with ${error?.name}: ${error?.message}`);
    }
  }
}
