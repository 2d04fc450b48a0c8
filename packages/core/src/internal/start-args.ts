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
 * - **env**: without `NODE_TEST_CONTEXT` (node:test's private channel to its runner: a child given
 *   it writes the runner's binary stream to its stdout), and with the specifiers of `NODE_OPTIONS`
 *   resolved the same way (Node applies `NODE_OPTIONS` to threads and children).
 */
import { compileCacheChanges } from '../worker/compile-cache.js';
import { childInspectArgs, hasInspectArgs } from './inspect-args.js';
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
  return withEnvChanges(env, workerEnvChanges(env));
}

/**
 * What {@link workerEnv} changes in `env`: each variable it sets, or `undefined` for one it takes
 * out; empty when it changes nothing. A thread started from the main thread gets them as changes of
 * `process.env` around its `new Worker()`, which then copies the environment natively
 * (`pool/worker-start.ts`).
 */
export function workerEnvChanges(env: Readonly<Record<string, string | undefined>>): EnvChanges {
  return { ...fitChanges(env), ...compileCacheChanges(env) };
}

/** A variable's new value, or `undefined` for one taken out. */
export type EnvChanges = Record<string, string | undefined>;

/** `env` with `changes` made, in a copy; `env` itself when there are none. */
export function withEnvChanges<T extends Record<string, string | undefined>>(env: T, changes: EnvChanges): T {
  const keys = Object.keys(changes);
  if (keys.length === 0) return env;
  const out: Record<string, string | undefined> = { ...env };
  for (const key of keys) {
    const value = changes[key];
    if (value === undefined) delete out[key];
    else out[key] = value;
  }
  return out as T;
}

/**
 * Makes a worker thread with `make(env)`, the thread's environment the program's as it is now with
 * `changes` made. From the main thread `env` is undefined and the changes are made to `process.env`
 * around `make()`, then put back: Node copies the environment of a thread given no `env` natively,
 * where an `env` object is copied key by key in JavaScript, after our own copy of `process.env`
 * (issue #18: ~0.1 ms of the host per thread, before the thread starts). Nothing else runs in the
 * main thread meanwhile. Elsewhere (a thread whose `process.env` may be shared with others,
 * `SHARE_ENV`), or where the program replaced `process.env` with an object of its own, `env` is the
 * program's environment with the changes, in a copy; with no changes, Node's own `process.env` is
 * left to Node.
 */
export function makeThreadWithEnv<T>(
  changes: EnvChanges,
  make: (env: Record<string, string> | undefined) => T,
): T {
  const env = process.env;
  const keys = Object.keys(changes);
  // A `process.env` the program replaced (`process.env = { ... }`) is not what Node copies.
  if (!isNodeEnv(env)) return make(withEnvChanges({ ...env } as Record<string, string>, changes));
  if (keys.length === 0) return make(undefined);
  const { isMainThread } = process.getBuiltinModule('node:worker_threads');
  if (!isMainThread) return make(withEnvChanges({ ...env } as Record<string, string>, changes));
  const before = keys.map((key) => [key, key in env ? env[key] : undefined] as const);
  const put = (key: string, value: string | undefined) => {
    if (value === undefined) delete env[key];
    else env[key] = value;
  };
  try {
    for (const key of keys) put(key, changes[key]);
    return make(undefined);
  } finally {
    for (const [key, value] of before) put(key, value);
  }
}

/** The `process.env` last found to be Node's own (or a wrapper of it). */
let nodeEnv: object | undefined;
const PROBE = 'MULTIPROC_ENV_PROBE';

/**
 * Whether `env` is Node's own environment object, which stores every value as a string (or a
 * wrapper that writes through to it), and not one the program put in its place, which Node ignores
 * when it copies the environment for a thread given no `env`.
 */
function isNodeEnv(env: Record<string, string | undefined>): boolean {
  if (env === nodeEnv) return true;
  let own = false;
  try {
    const before = PROBE in env ? env[PROBE] : undefined;
    (env as Record<string, unknown>)[PROBE] = 1;
    own = env[PROBE] === '1';
    if (before === undefined) delete env[PROBE];
    else env[PROBE] = before;
  } catch {
    return false;
  }
  if (own) nodeEnv = env;
  return own;
}

function fitChanges(env: Readonly<Record<string, string | undefined>>): EnvChanges {
  const moved = movedFrom();
  const options = env.NODE_OPTIONS;
  const inspects = options !== undefined && hasInspectArgs(options.split(/\s+/));
  const strips = programStripsTypes() ? '1' : undefined;
  const stripsSaid = env[STRIPS_TYPES_ENV] === strips;
  if (!(TEST_CONTEXT in env) && !inspects && (moved === undefined || !options) && stripsSaid) return {};
  const changes: EnvChanges = { [TEST_CONTEXT]: undefined, [STRIPS_TYPES_ENV]: strips };
  if ((moved !== undefined || inspects) && options) changes.NODE_OPTIONS = fitNodeOptions(options, moved);
  return changes;
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
