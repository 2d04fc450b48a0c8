/**
 * The demo's command line: options, example selection, the run, the summary or JSON document, and
 * the exit code (0 only when every example that ran succeeded).
 */

import { type ContextName, cpuCount } from '@multiproc/multiproc';
import { Command, Option } from 'commander';
import { type Backend, type BackendName, bullmqBackend, localBackend } from './backend.js';
import type { Example } from './example.js';
import { EXAMPLE_NAMES, EXAMPLES } from './examples/index.js';
import { formatMs, round, table } from './format.js';
import { interceptStream, Reporter } from './report.js';
import { type Outcome, runExamples } from './run.js';

interface CliOptions {
  context: ContextName;
  backend: BackendName;
  redis?: string;
  only: string[];
  list?: boolean;
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

const collect = (value: string, previous: string[]): string[] => [
  ...previous,
  ...value
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean),
];

const program = new Command()
  .name('multiproc-demo')
  .description(
    "A tour of multiproc, Python's multiprocessing for Node.js: the source's examples, run for real.",
  )
  .addOption(
    new Option('-c, --context <name>', 'where workers run: worker threads or child processes')
      .choices(['thread', 'process'])
      .default('thread'),
  )
  .addOption(
    new Option('-o, --only <names>', 'run only these examples (repeat it, or give a comma list)')
      .argParser(collect)
      .default([], 'all, in order'),
  )
  .addOption(
    new Option(
      '-b, --backend <name>',
      'where pools run: here, or on BullMQ workers the demo starts on --redis',
    )
      .choices(['local', 'bullmq'])
      .default('local'),
  )
  .option('--redis <url>', 'Redis for --backend bullmq, as redis://host:port (default: $REDIS_URL)')
  .option('-l, --list', 'list the examples and exit')
  .option('--json', 'print the results as one JSON document (for scripts)')
  .option('-q, --quiet', 'print only the results: no headings, notes or progress')
  .option('-v, --verbose', "show raw stacks and the workers' stderr")
  .showHelpAfterError('(run multiproc-demo --help for usage)')
  .addHelpText(
    'after',
    `\nExamples: ${EXAMPLE_NAMES.join(', ')} (--list describes them)\n` +
      '  multiproc-demo                       run them all, in order\n' +
      '  multiproc-demo --only ans5,ans6      just these two\n' +
      '  multiproc-demo --context process     workers in child processes instead of threads\n' +
      '  multiproc-demo --backend bullmq --redis redis://127.0.0.1:6379\n' +
      '                                       Ans5 on Redis workers the demo starts (redis-server)\n' +
      '  multiproc-demo --json > results.json machine-readable results',
  )
  .action(main);

async function main(options: CliOptions): Promise<void> {
  const out = new Reporter({ json: !!options.json, quiet: !!options.quiet, verbose: !!options.verbose });
  if (options.list) return list(out);
  const chosen = select(options.only, options.backend);
  const backend = await openBackend(options);
  out.note(
    `multiproc demo · ${backend.description} · Node ${process.version} · ${cpuCount()} CPUs available`,
  );
  // In JSON mode stdout carries only the final document: anything else is held back.
  const stray = out.options.json ? interceptStream(process.stdout, false) : undefined;
  const started = performance.now();
  let outcomes: Outcome[];
  try {
    outcomes = await runExamples(chosen, options.context, backend, out);
  } finally {
    stray?.restore();
    await backend.close();
  }
  const durationMs = round(performance.now() - started);
  // A section whose API is not exported yet fails the run only when it was asked for by name.
  const explicit = options.only.length > 0;
  const ok = outcomes.every((o) => o.ok || (o.status === 'unavailable' && !explicit));
  if (out.options.json) {
    const doc = {
      ok,
      context: options.context,
      backend: backend.name,
      node: process.version,
      durationMs,
      examples: outcomes,
    };
    out.raw(`${JSON.stringify(doc, null, 2)}\n`);
  } else {
    summarize(outcomes, durationMs, out);
  }
  process.exitCode = ok ? 0 : 1;
  // Everything was closed and joined, so the program normally ends at once by itself. A failed
  // example may have left a worker behind; this timer (which does not itself keep the program
  // alive) makes sure the demo still ends.
  setTimeout(() => {
    if (out.options.verbose) out.error('note: a worker was still running after the demo; exiting anyway');
    process.exit();
  }, LINGER_MS).unref();
}

const LINGER_MS = 2_000;

function list(out: Reporter): void {
  if (out.options.json) {
    const examples = EXAMPLES.map(({ name, title, summary }) => ({ name, title, summary }));
    out.raw(`${JSON.stringify({ examples }, null, 2)}\n`);
    return;
  }
  for (const row of table([['name', 'what it shows'], ...EXAMPLES.map((e) => [e.name, e.summary])])) {
    out.line(row);
  }
}

/** The chosen backend, started (BullMQ workers) when it needs to be. */
async function openBackend(options: CliOptions): Promise<Backend> {
  if (options.backend === 'local') return localBackend(options.context);
  const redis = options.redis ?? process.env.REDIS_URL;
  if (!redis) {
    return program.error('error: --backend bullmq needs --redis redis://host:port (a running redis-server)', {
      exitCode: 2,
      code: 'multiproc.noRedis',
    });
  }
  return bullmqBackend(redis);
}

function select(only: readonly string[], backend: BackendName): Example[] {
  const runs = (example: Example) => (example.backends ?? ['local']).includes(backend);
  if (backend !== 'local') {
    const cannot = only.filter((name) => EXAMPLES.some((e) => e.name === name && !runs(e)));
    if (cannot.length > 0) {
      const can = EXAMPLES.filter(runs).map((e) => e.name);
      program.error(
        `error: ${cannot.join(', ')} cannot run on the ${backend} backend; it runs ${can.join(', ')}`,
        { exitCode: 2, code: 'multiproc.wrongBackend' },
      );
    }
  }
  if (only.length === 0) return EXAMPLES.filter(runs);
  const unknown = only.filter((name) => !EXAMPLE_NAMES.includes(name));
  if (unknown.length > 0) {
    const what = unknown.length === 1 ? 'example' : 'examples';
    program.error(
      `error: unknown ${what} ${unknown.map((n) => `'${n}'`).join(', ')}; valid names: ${EXAMPLE_NAMES.join(', ')}`,
      { exitCode: 2, code: 'multiproc.unknownExample' },
    );
  }
  return EXAMPLES.filter((example) => only.includes(example.name));
}

function summarize(outcomes: readonly Outcome[], durationMs: number, out: Reporter): void {
  const count = (status: Outcome['status']) => outcomes.filter((o) => o.status === status);
  const parts = [`${count('passed').length} passed`];
  const failed = count('failed');
  if (failed.length > 0) parts.push(`${failed.length} failed (${failed.map((o) => o.name).join(', ')})`);
  const waiting = count('unavailable');
  if (waiting.length > 0)
    parts.push(`${waiting.length} not available yet (${waiting.map((o) => o.name).join(', ')})`);
  const line = `${outcomes.length} examples in ${formatMs(durationMs)}: ${parts.join(', ')}`;
  if (failed.length > 0) out.error(line);
  else out.note(`\n${line}`);
}

/** Parses `argv` and runs the demo; sets `process.exitCode`. */
export async function cli(argv: readonly string[] = process.argv): Promise<void> {
  await program.parseAsync(argv);
}
