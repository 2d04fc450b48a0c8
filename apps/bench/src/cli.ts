#!/usr/bin/env node
/**
 * `bench [suite...] [--only <ids>] [--quick] [--runs <n>] [--warmup <n>] [--json <file>]`: runs the suites, prints a markdown
 * table and the speed-target lines, writes the JSON results and renders the charts from them.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { renderCharts } from './charts.js';
import { runCase } from './harness.js';
import { machineInfo } from './machine.js';
import { resultsDir } from './paths.js';
import { createProgress } from './progress.js';
import { type Report, renderMarkdown, targetLines } from './report.js';
import { FULL_SIZES, QUICK_SIZES } from './sizes.js';
import { casesOf } from './suites/index.js';
import { evaluateTargets } from './targets.js';
import { type CaseResult, SUITES, type SuiteName } from './types.js';

const DEFAULT_RUNS = 5;
/** Warm-up samples each case takes and discards before its runs (`--quick`: none). */
const DEFAULT_WARMUP = 1;

interface Options {
  quick?: boolean;
  only?: string[];
  runs?: number;
  warmup?: number;
  json?: string;
  charts: boolean;
  chartsFrom?: string;
  readme?: string;
}

const README_START = '<!-- bench:results:start -->';
const README_END = '<!-- bench:results:end -->';

/** Replaces the results section of a README (between the two markers) with `markdown`. */
async function updateReadme(file: string, markdown: string, command: string): Promise<void> {
  const text = await readFile(file, 'utf8');
  const start = text.indexOf(README_START);
  const end = text.indexOf(README_END);
  if (start < 0 || end < start) throw new Error(`${file} has no ${README_START} ... ${README_END} section`);
  const body = `${README_START}\n\nMeasured with \`${command}\`.\n\n${markdown}\n`;
  await writeFile(file, text.slice(0, start) + body + text.slice(end));
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected 0 or a positive integer');
  return n;
}

function parseSuites(names: string[]): SuiteName[] {
  const unknown = names.filter((n) => !(SUITES as readonly string[]).includes(n));
  if (unknown.length > 0) {
    throw new InvalidArgumentError(`unknown suite ${unknown.join(', ')}; choose from ${SUITES.join(', ')}`);
  }
  return names.length === 0 ? [...SUITES] : SUITES.filter((s) => names.includes(s));
}

/** Charts go beside the JSON: `charts/` for latest.json, `<name>-charts/` for any other file. */
function chartsDirFor(jsonFile: string): string {
  const base = basename(jsonFile, '.json');
  return join(dirname(jsonFile), base === 'latest' ? 'charts' : `${base}-charts`);
}

async function writeChartsFrom(jsonFile: string): Promise<string[]> {
  const report = JSON.parse(await readFile(jsonFile, 'utf8')) as Report;
  return renderCharts(report, chartsDirFor(jsonFile));
}

async function run(suiteNames: string[], opts: Options): Promise<void> {
  if (opts.chartsFrom) {
    const files = await writeChartsFrom(resolve(opts.chartsFrom));
    console.log(`wrote ${files.length} charts`);
    return;
  }
  const suites = parseSuites(suiteNames);
  const quick = Boolean(opts.quick);
  const runs = opts.runs ?? (quick ? 1 : DEFAULT_RUNS);
  const warmup = opts.warmup ?? (quick ? 0 : DEFAULT_WARMUP);
  const sizes = quick ? QUICK_SIZES : FULL_SIZES;
  const jsonFile = resolve(opts.json ?? join(resultsDir(), quick ? 'quick.json' : 'latest.json'));

  const machine = await machineInfo();
  const only = opts.only;
  const cases = suites.flatMap(casesOf).filter((c) => !only || only.some((part) => c.id.includes(part)));
  const progress = createProgress(cases.length);
  const results: CaseResult[] = [];
  for (const c of cases) {
    progress.caseStarted(c);
    const result = await runCase(c, { runs, warmup, quick, sizes });
    results.push(result);
    progress.caseDone(result);
  }
  progress.stop();

  const report: Report = {
    schema: 1,
    generatedAt: new Date().toISOString(),
    command: ['bench', ...process.argv.slice(2)].join(' '),
    quick,
    runs,
    warmup,
    sizes,
    suites,
    machine,
    loadAverageAtEnd: Number(loadavg()[0]!.toFixed(2)),
    cases: results,
    targets: evaluateTargets(results, suites),
  };
  await mkdir(dirname(jsonFile), { recursive: true });
  await writeFile(jsonFile, `${JSON.stringify(report, null, 2)}\n`);
  const charts = opts.charts ? await writeChartsFrom(jsonFile) : [];

  const markdown = renderMarkdown(report);
  if (opts.readme) await updateReadme(resolve(opts.readme), markdown, report.command);
  console.log(markdown);
  for (const line of targetLines(report.targets)) console.log(line);
  const failed = results.filter((r) => r.status === 'error');
  for (const r of failed) console.error(`error: ${r.id}: ${r.note}`);
  console.log(`\nwrote ${jsonFile}${charts.length > 0 ? ` and ${charts.length} charts` : ''}`);
}

const program = new Command('bench')
  .description('Benchmarks multiproc against tinypool, piscina, workerpool, raw Node and Python.')
  .argument('[suite...]', `suites to run: ${SUITES.join(', ')} (default: all)`)
  .option('--only <ids>', 'only the cases whose id contains one of these (comma-separated)', (v) =>
    v.split(','),
  )
  .option('--quick', 'each case once with tiny sizes (a smoke test: the numbers mean nothing)')
  .option('--runs <n>', `samples per case (default ${DEFAULT_RUNS}, --quick: 1)`, positiveInt)
  .option(
    '--warmup <n>',
    `warm-up samples per case, taken and discarded before the runs (default ${DEFAULT_WARMUP}, --quick: 0)`,
    nonNegativeInt,
  )
  .option('--json <file>', 'results file (default results/latest.json; --quick: results/quick.json)')
  .option('--no-charts', 'do not render the SVG charts')
  .option('--charts-from <file>', 'only render the charts from an existing results file')
  .option('--readme <file>', 'also write the table into the results section of this README')
  .action(async (suiteNames: string[], opts: Options) => {
    await run(suiteNames, opts);
  });

try {
  await program.parseAsync();
  // A pending or half-built implementation may leave handles open; the results are written.
  process.exit(0);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
