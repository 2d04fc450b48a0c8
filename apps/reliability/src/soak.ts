/**
 * `pnpm soak`: the long versions of the reliability suites, one summary line per suite (rounds,
 * deaths, calls settled, items lost, items run twice, handles leaked, RSS slope), then a total.
 * Exits 1 when any suite broke a promise; the failures are printed under its line.
 *
 *   pnpm soak                      every suite: 500 leak cycles each, 40-60 minutes on 2 cores
 *   pnpm soak --minutes 5          scale every time budget
 *   pnpm soak --only leaks,fuzz    the suites whose name contains one of these
 *   pnpm soak --settles            pool chaos lets a death fail its batch-mates too (a Pool before #12)
 */
import { Pool } from '@multiproc/core';
import { catalogue, type Env, heavyCases } from './bad-input/catalogue.js';
import { runCase } from './bad-input/run.js';
import { fail, formatLine, newReport, type SuiteReport, within } from './report.js';
import { fuzzRoundTrips } from './suites/fuzz.js';
import { pipeIntegrity, queueIntegrity } from './suites/integrity.js';
import { leaks } from './suites/leaks.js';
import { CONTEXTS } from './suites/options.js';
import { poolChaos } from './suites/pool-chaos.js';
import { processChaos } from './suites/process-chaos.js';

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const scale = Number(flag('minutes') ?? 25) / 25;
const only = flag('only')?.split(',');
const seed = Number(flag('seed') ?? Date.now() % 100_000);
const exact = !args.includes('--settles');
const minutes = (m: number) => m * 60_000 * scale;
const MANY = 1_000_000;
// Longer than any suite's own budget (the leak suites' 15 minutes) plus its last round.
const SUITE_LIMIT_MS = minutes(15) + 10 * 60_000;

type Suite = [name: string, run: () => Promise<SuiteReport>];
const suites: Suite[] = CONTEXTS.flatMap((c): Suite[] => [
  [`pool-chaos-${c}`, () => poolChaos(c, { rounds: MANY, seed, budgetMs: minutes(2), exact })],
  [`process-chaos-${c}`, () => processChaos(c, { rounds: MANY, seed, budgetMs: minutes(1.5) })],
  [`queue-integrity-${c}`, () => queueIntegrity(c, { rounds: MANY, seed, budgetMs: minutes(1.5) })],
  [`pipe-integrity-${c}`, () => pipeIntegrity(c, { rounds: MANY, seed, budgetMs: minutes(1) })],
  [`fuzz-round-trip-${c}`, () => fuzzRoundTrips(c, { rounds: Math.round(2000 * scale), seed })],
  [`leaks-pool-${c}`, () => leaks('pool', c, { rounds: 500, budgetMs: minutes(15) })],
  [`leaks-process-${c}`, () => leaks('process', c, { rounds: 500, budgetMs: minutes(10) })],
]);
suites.push(['bad-input', badInput]);

async function badInput(): Promise<SuiteReport> {
  const report = newReport('bad-input');
  const started = Date.now();
  const pools = new Map<string, Pool>();
  const env: Env = {
    pool(context) {
      let pool = pools.get(context);
      if (!pool) pools.set(context, (pool = new Pool({ processes: 1, context })));
      return pool;
    },
  };
  for (const c of [...catalogue, ...heavyCases]) {
    if (c.pending) continue;
    step = `${c.api}: ${c.input}`;
    const problems = await runCase(c, env);
    for (const p of problems) fail(report, `${c.api} (${c.input}): ${p}`);
    report.rounds++;
    report.settled++;
  }
  await within(Promise.all([...pools.values()].map((p) => p.terminate())), 60_000, 'pool.terminate()').catch(
    (err: Error) => fail(report, err.message),
  );
  report.durationMs = Date.now() - started;
  return report;
}

const chosen = suites.filter(([name]) => !only || only.some((o) => name.includes(o)));
console.log(`soak: ${chosen.length} suites, seed ${seed}, node ${process.version}, gc ${'gc' in globalThis}`);
const reports: SuiteReport[] = [];
let step = '';
// A hang must fail its suite, not end the program: with nothing else alive, Node would exit with
// code 13 at the first await that can never settle. This keeps the loop alive; `within` bounds it.
const keepAlive = setInterval(() => {}, 60_000);
for (const [name, run] of chosen) {
  step = '';
  let report: SuiteReport;
  try {
    // run() starts a microtask later, so the suite's own 'before' count already sees this bound's timer.
    report = await within(
      Promise.resolve().then(run),
      SUITE_LIMIT_MS,
      `${name} (at ${step || 'its rounds'})`,
    );
  } catch (err) {
    report = newReport(name);
    fail(report, `the suite itself threw: ${(err as Error)?.stack ?? String(err)}`);
  }
  reports.push(report);
  console.log(formatLine(report));
  for (const f of report.failures) console.log(`    ${f}`);
}
const total = reports.reduce((t, r) => {
  for (const k of ['rounds', 'deaths', 'settled', 'lost', 'twice', 'leaked', 'durationMs'] as const)
    t[k] += r[k];
  t.failures.push(...r.failures);
  return t;
}, newReport('TOTAL'));
console.log(formatLine(total));
clearInterval(keepAlive);
process.exit(total.failures.length > 0 ? 1 : 0);
