#!/usr/bin/env node
/**
 * `multiproc-worker`: serves @multiproc/bullmq pools from this machine. `--help` for the options.
 * SIGTERM or SIGINT stops it gracefully (running jobs finish within `--grace`, then go back to the
 * queue for other workers); a second signal hands them back at once.
 */
import { readFileSync } from 'node:fs';
import { ValidationError } from '@multiproc/core';
import { Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_REDIS_URL } from '../internal/connection.js';
import { MIN_SECRET_BYTES } from '../internal/signing.js';
import { describeError } from './log.js';
import { type Bounds, describeBounds, WORKER_BOUNDS, withinBounds } from './options.js';
import type { WorkerHandle } from './start.js';

/** Whatever is not closed a moment after the worker stopped does not keep the process alive. */
const EXIT_LINGER_MS = 2_000;

interface CliOptions {
  tasks: string[];
  redis?: string;
  prefix: string;
  concurrency?: number;
  context?: 'thread' | 'process';
  secretFile?: string;
  tlsCa?: string;
  lockDuration?: number;
  stalledInterval?: number;
  maxStalledCount?: number;
  maxTasksPerChild?: number;
  maxOldSpaceSize?: number;
  ttl?: number;
  grace?: number;
  quiet?: boolean;
}

/**
 * A parser for a whole-number flag, with the bounds of its option: a value out of them is a usage
 * error naming the flag as typed (`option '--ttl <ms>' argument '10' is invalid`) and the bounds.
 */
function int(option: keyof typeof WORKER_BOUNDS): (value: string) => number {
  const bounds = WORKER_BOUNDS[option];
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !withinBounds(n, bounds)) {
      throw new InvalidArgumentError(`Expected ${describeBounds(bounds, 'a whole number')}.`);
    }
    return n;
  };
}

/** The bounds of a whole-number flag, for `--help`: `1 to 4096`, `at least 100`, `0 or more`. */
function range(option: keyof typeof WORKER_BOUNDS): string {
  const bounds: Bounds = WORKER_BOUNDS[option];
  if (bounds.max !== undefined) return `${bounds.min} to ${bounds.max}`;
  return bounds.min === 0 ? '0 or more' : `at least ${bounds.min}`;
}

// Status lines must not be lost when the process exits right after writing them (a piped stdout
// is asynchronous in Node).
(process.stdout as unknown as { _handle?: { setBlocking?: (b: boolean) => void } })._handle?.setBlocking?.(
  true,
);
// A closed stdout (the reader went away) must not stop a worker that is serving jobs.
process.stdout.on('error', () => {});

/** This package's version, for `--version`. */
function packageVersion(): string {
  return JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;
}

const program = new Command('multiproc-worker')
  .version(
    packageVersion(),
    '-V, --version',
    "print multiproc-worker's version (the @multiproc/bullmq version)",
  )
  .description(
    'Serves @multiproc/bullmq pools: runs their jobs on a local multiproc Pool, one status line per event.',
  )
  .requiredOption(
    '-t, --tasks <modules...>',
    'task modules to load, [name=]path; only their exported tasks run',
  )
  // No default values here: commander would print them in --help, and $REDIS_URL may hold a password.
  .option(
    '-r, --redis <url>',
    `Redis URL, redis:// or rediss://, or a Unix socket's path (default: $REDIS_URL, else ${DEFAULT_REDIS_URL})`,
  )
  .option('-p, --prefix <prefix>', 'key prefix shared with the pools', 'multiproc')
  .option(
    '-c, --concurrency <n>',
    `tasks run at once, the local pool size, ${range('concurrency')} (default: the number of CPUs)`,
    int('concurrency'),
  )
  .addOption(
    new Option('--context <name>', 'where the local pool runs tasks (default: thread)').choices([
      'thread',
      'process',
    ]),
  )
  .option('--secret-file <path>', 'read the shared secret from this file (default: $MULTIPROC_SECRET)')
  .option('--tls-ca <file>', 'CA certificate to verify a rediss:// server with')
  .option(
    '--lock-duration <ms>',
    `job lock time, ${range('lockDuration')}; a dead worker is noticed after it (BullMQ lockDuration) (default: 30000)`,
    int('lockDuration'),
  )
  .option(
    '--stalled-interval <ms>',
    `how often to look for jobs of dead workers, ${range('stalledInterval')} (BullMQ stalledInterval) (default: 30000)`,
    int('stalledInterval'),
  )
  .option(
    '--max-stalled-count <n>',
    `how often a job may lose its worker before it fails, ${range('maxStalledCount')} (default: 1)`,
    int('maxStalledCount'),
  )
  .option(
    '--max-tasks-per-child <n>',
    `replace a local worker after this many tasks, ${range('maxTasksPerChild')} (default: unlimited)`,
    int('maxTasksPerChild'),
  )
  .option(
    '--max-old-space-size <MB>',
    `heap limit of each local worker running tasks, ${range('maxOldSpaceSize')} (default: Node's own)`,
    int('maxOldSpaceSize'),
  )
  .option(
    '--ttl <ms>',
    `how long this worker stays registered without a heartbeat, ${range('ttl')} (default: 15000)`,
    int('ttl'),
  )
  .option(
    '--grace <ms>',
    `on SIGTERM, how long running jobs may finish before they go back, ${range('grace')} (default: 30000)`,
    int('grace'),
  )
  .option('-q, --quiet', 'log lifecycle events and failures only, not every job')
  .showHelpAfterError('(run multiproc-worker --help for usage)')
  .addHelpText(
    'after',
    '\nThe shared secret comes from $MULTIPROC_SECRET (or --secret-file); pools need the same one.\n' +
      'Example:\n  MULTIPROC_SECRET=... multiproc-worker --redis redis://10.0.0.5:6379 --tasks ./dist/tasks.js\n',
  )
  .action(run);

async function run(o: CliOptions): Promise<void> {
  const secret = o.secretFile === undefined ? undefined : readSecretFile(o.secretFile);
  if (secret === undefined && !process.env.MULTIPROC_SECRET) {
    throw new ValidationError(
      'multiproc-worker needs the shared secret that signs jobs and results: set MULTIPROC_SECRET or pass ' +
        '--secret-file <path> (the pools need the same one; for example `openssl rand -hex 32`).',
    );
  }
  const redis = o.redis ?? process.env.REDIS_URL ?? DEFAULT_REDIS_URL;
  const connection = o.tlsCa ? { url: redis, tls: { ca: readFlagFile('--tls-ca', o.tlsCa) } } : redis;
  // Signals are handled from the start: one that arrives while the worker starts stops it at once
  // (the start ends at its next step or wait), as a stop after its start would, with the same exit.
  let worker: (WorkerHandle & { start(): Promise<void> }) | undefined;
  let signals = 0;
  const onSignal = () => {
    signals++;
    void worker?.stop(signals > 1 ? { grace: 0 } : {});
  };
  process.on('SIGTERM', onSignal).on('SIGINT', onSignal);
  try {
    // Loaded after the arguments are parsed: `--help` and usage errors answer at once.
    const { createWorker } = await import('./start.js');
    worker = createWorker({
      tasks: o.tasks,
      connection,
      secret,
      prefix: o.prefix,
      concurrency: o.concurrency,
      context: o.context,
      lockDuration: o.lockDuration,
      stalledInterval: o.stalledInterval,
      maxStalledCount: o.maxStalledCount,
      maxTasksPerChild: o.maxTasksPerChild,
      maxOldSpaceSize: o.maxOldSpaceSize,
      ttl: o.ttl,
      grace: o.grace,
      quiet: o.quiet,
    });
    if (signals > 0) void worker.stop(signals > 1 ? { grace: 0 } : {});
    await worker.start();
    await worker.stopped;
  } finally {
    process.off('SIGTERM', onSignal).off('SIGINT', onSignal);
  }
  setTimeout(() => process.exit(), EXIT_LINGER_MS).unref();
}

/** The secret in the file `--secret-file` names, without the line break at its end. */
function readSecretFile(path: string): string {
  const secret = readFlagFile('--secret-file', path).toString('utf8').trim();
  const bytes = Buffer.byteLength(secret);
  if (bytes < MIN_SECRET_BYTES) {
    const what = bytes === 0 ? 'is empty' : `holds a secret of ${bytes} bytes`;
    throw new ValidationError(
      `--secret-file: the file '${path}' ${what}; put the pools' shared secret into it (their ` +
        `MULTIPROC_SECRET, at least ${MIN_SECRET_BYTES} bytes; make one with \`openssl rand -hex 32\`).`,
    );
  }
  return secret;
}

/** The file a flag names; a `ValidationError` naming the flag and the path when it cannot be read. */
function readFlagFile(flag: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : describeError(error);
    throw new ValidationError(`${flag}: cannot read '${path}' (${why}); give the path of a readable file.`, {
      cause: error,
    });
  }
}

try {
  await program.parseAsync();
} catch (error) {
  // Our errors may name the command already (`multiproc-worker: ...`): name it once.
  const text = describeError(error).replace(/^(\w+): multiproc-worker: /, '$1: ');
  process.stderr.write(`multiproc-worker: ${text}\n`);
  process.exitCode = 1;
}
