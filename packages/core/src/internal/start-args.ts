/**
 * Host side: what a worker thread or child process is started with besides its entry.
 *
 * - **argv**: the program's own arguments (`process.argv.slice(2)`), as Python's spawn gives its
 *   children the parent's `sys.argv`: a task module that reads `process.argv` at its top level
 *   computes the same values in every worker. Our entries never read them.
 * - **execArgv**: the program's Node flags without those that name the program's source or are
 *   spent (`-e`, `-p`, `--input-type`, `--test`, `--env-file`, ...): a child given `-e <code>` runs
 *   the program instead of its entry and, seeing itself as the main program, starts workers of its
 *   own without end. The `--env-file` values are in `process.env` already. After a
 *   `process.chdir()`, the specifiers of `--import`/`--require`/`--loader` are resolved against the
 *   start-up directory (`start-dir.ts`), as Node resolved them for the program.
 * - **env**: saying the program's main script (`program-main.ts`), without `NODE_TEST_CONTEXT`
 *   (node:test's private channel to its runner: a child given it writes the runner's binary stream
 *   to its stdout), and with the specifiers of `NODE_OPTIONS`
 *   resolved the same way (Node applies `NODE_OPTIONS` to threads and children).
 */
import { withCompileCache } from '../worker/compile-cache.js';
import { childInspectArgs, hasInspectArgs } from './inspect-args.js';
import { withProgramMain } from './program-main.js';
import { startDir, workingDir } from './start-dir.js';
import { resolveSpecifier, SPECIFIER_FLAGS } from './start-specifiers.js';
import { programStripsTypes, STRIPS_TYPES_ENV } from './type-stripping.js';

/** Flags followed by a value (`-e <code>` or `--eval=<code>`) that a worker must not get. */
const DROPPED_WITH_VALUE = new Set([
  '-e',
  '--eval',
  '-p',
  '--print',
  '-pe',
  '-ep',
  '--input-type',
  '--env-file',
  '--env-file-if-exists',
  '--watch-path',
]);
const TEST_CONTEXT = 'NODE_TEST_CONTEXT';
/** Switches a worker must not get: a REPL, a syntax check, a test run, a file watcher. */
const DROPPED_SWITCHES = new Set(['-i', '--interactive', '-c', '--check', '--test', '--watch']);

/** The arguments after the script, for `fork(entry, args)` and a Worker's `argv`. */
export function workerArgv(): string[] {
  return process.argv.slice(2);
}

/** A flag's name: `--import=x` -> `--import`. Short flags never carry `=`. */
function flagName(arg: string): string {
  const eq = arg.indexOf('=');
  return arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
}

/** `args` made fit for a worker (see the module comment); `baseDir` set when the directory changed. */
export function fitArgs(args: readonly string[], baseDir: string | undefined): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const name = flagName(arg);
    const inline = name !== arg;
    if (DROPPED_WITH_VALUE.has(name)) {
      if (!inline) i++;
      continue;
    }
    if (DROPPED_SWITCHES.has(arg)) continue;
    if (baseDir !== undefined && SPECIFIER_FLAGS.has(name)) {
      const spec = inline ? arg.slice(name.length + 1) : args[i + 1];
      if (spec !== undefined) {
        const resolved = resolveSpecifier(name, spec, baseDir);
        out.push(inline ? `${name}=${resolved}` : name, ...(inline ? [] : [resolved]));
        if (!inline) i++;
        continue;
      }
    }
    out.push(arg);
  }
  return out;
}

/** The start-up directory when the program has changed directory since, else `undefined`. */
function movedFrom(): string | undefined {
  const start = startDir();
  const now = workingDir();
  return start !== undefined && start !== now ? start : undefined;
}

/** The Node flags for a forked child, its inspector on a port of its own (`inspect-args.ts`). */
export function childExecArgv(): string[] {
  return childInspectArgs(fitArgs(process.execArgv, movedFrom()));
}

/**
 * The Node flags for a worker thread, or `undefined` to inherit the program's (Node's default) when
 * nothing needs changing. Node refuses process-wide flags (`--max-old-space-size`, `--title`) in a
 * Worker's `execArgv` though a thread inherits their effect: those are left out.
 */
export function threadExecArgv(): string[] | undefined {
  const fit = fitArgs(process.execArgv, movedFrom());
  if (fit.length === process.execArgv.length && fit.every((arg, i) => arg === process.execArgv[i]))
    return undefined;
  const key = fit.join('\0');
  let accepted = acceptedByThreads.get(key);
  if (accepted === undefined) {
    accepted = fit;
    for (let refused = threadRefuses(accepted); refused.length > 0; refused = threadRefuses(accepted)) {
      const before = accepted.length;
      accepted = accepted.filter((arg) => !refused.includes(arg));
      if (accepted.length === before) break;
    }
    acceptedByThreads.set(key, accepted);
  }
  return accepted;
}

const acceptedByThreads = new Map<string, string[]>();

/** The flags of `execArgv` that `new Worker()` refuses, as its error lists them. */
function threadRefuses(execArgv: string[]): string[] {
  const { Worker } = process.getBuiltinModule('node:worker_threads');
  try {
    // An uncloneable workerData throws after Node checked execArgv and before the thread starts.
    const probe = new Worker('', { eval: true, execArgv, workerData: Symbol() });
    void probe.terminate();
  } catch (error) {
    const { code, message } = error as { code?: unknown; message?: string };
    // "Initiated Worker with invalid execArgv flags: --title=x, --stack-size"
    if (code === 'ERR_WORKER_INVALID_EXEC_ARGV')
      return (message ?? '').split(': ').slice(1).join(': ').split(', ');
  }
  return [];
}

/**
 * `env` for a worker: without node:test's channel, its `NODE_OPTIONS` fit as the flags are (an
 * `--inspect` there too: Node applies `NODE_OPTIONS` to a forked child), saying whether the
 * program runs on Node's own type stripping (`type-stripping.ts`), and with Node's compile cache
 * on from the worker's start (`worker/compile-cache.ts`).
 */
export function workerEnv<T extends Record<string, string | undefined>>(env: T): T {
  return withCompileCache(fitEnv(withProgramMain(env)));
}

function fitEnv<T extends Record<string, string | undefined>>(env: T): T {
  const moved = movedFrom();
  const options = env.NODE_OPTIONS;
  const inspects = options !== undefined && hasInspectArgs(options.split(/\s+/));
  const strips = programStripsTypes() ? '1' : undefined;
  const stripsSaid = env[STRIPS_TYPES_ENV] === strips;
  if (!(TEST_CONTEXT in env) && !inspects && (moved === undefined || !options) && stripsSaid) return env;
  const out: Record<string, string | undefined> = { ...env };
  delete out[TEST_CONTEXT];
  if ((moved !== undefined || inspects) && options) out.NODE_OPTIONS = fitNodeOptions(options, moved);
  if (strips) out[STRIPS_TYPES_ENV] = strips;
  else delete out[STRIPS_TYPES_ENV];
  return out as T;
}

/** `NODE_OPTIONS` split as Node splits it (whitespace; double quotes group, `\` escapes inside). */
function fitNodeOptions(options: string, baseDir: string | undefined): string {
  const tokens = options.match(/(?:[^\s"]+|"(?:\\.|[^"\\])*")+/g) ?? [];
  const unquoted = tokens.map((token) =>
    token.replace(/"((?:\\.|[^"\\])*)"/g, (_, s) => s.replace(/\\(.)/g, '$1')),
  );
  return childInspectArgs(fitArgs(unquoted, baseDir))
    .map((arg) => (/[\s"\\]/.test(arg) ? `"${arg.replace(/(["\\])/g, '\\$1')}"` : arg))
    .join(' ');
}
