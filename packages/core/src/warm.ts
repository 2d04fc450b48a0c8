/**
 * Warm start, Node's answer to Python's forkserver: a worker (or child) started ahead of need and
 * kept ready, so `Process.start()` only hands it the target. Each spare is replaced as soon as it
 * is used. A spare was made earlier, with the `process.env` (and working directory) of that
 * moment: what changed since goes with the start message and is applied before the target's module
 * is imported, so a Process inherits them as they are at `start()`, as a cold start does. Opt-in, because a spare costs a thread's or a process's memory while it waits; it never
 * keeps the program alive.
 */
import { describeValue, readOptions, ValidationError } from '@multiproc/shared';
import { type ChildSpare, startChildSpare } from './internal/child-runner.js';
import type {
  InheritedState,
  PreloadFailedMessage,
  Runner,
  SpareMessage,
  StartMessage,
} from './internal/runner.js';
import { workingDir } from './internal/start-dir.js';
import { startThreadSpare, type ThreadSpare } from './internal/thread-runner.js';
import { assertContextName, CONTEXT_NAMES, type ContextName } from './options.js';
import { isTaskRef, type TaskRef } from './task.js';

/** Options of {@link enableWarmStart}. */
export interface WarmStartOptions {
  /** Which contexts keep a spare ready. @default both */
  context?: ContextName | readonly ContextName[] | null | undefined;
  /**
   * Task modules (their URLs, or task refs from them) each spare imports ahead, so a start skips
   * that import too. Python: `set_forkserver_preload()`. A preloaded module's top level runs
   * when the spare is made, with the `process.env` of that moment; the target itself sees the
   * env (and working directory) of `start()`. A module that fails to import there is named once
   * in a process warning (code `MP_PRELOAD_FAILED`). A string is a `file:` URL or an absolute path,
   * as `defineTasks()` takes; any other (`'./tasks.js'`) throws `ValidationError`. @default []
   */
  preload?: ReadonlyArray<string | URL | TaskRef> | null | undefined;
}

/** A ready worker, and the parent's state it was made with (it got a copy of both). */
interface Spare {
  readonly worker: ThreadSpare | ChildSpare;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** `undefined` when the working directory was removed then. */
  readonly cwd: string | undefined;
}

let message: SpareMessage | undefined;
let enabled = new Set<ContextName>();
const ready = new Map<ContextName, Spare>();
// Preload modules already warned about: one warning per module and program.
const warned = new Set<string>();

function warnPreloadFailed({ module, error }: PreloadFailedMessage): void {
  if (warned.has(module)) return;
  warned.add(module);
  process.emitWarning(
    `enableWarmStart(): the preload module ${module} failed to import in a warm spare (${error}). ` +
      'Spares go on without it, so a start whose target is in it imports it again (a cold start) ' +
      'and fails the same way: fix the module or remove it from preload.',
    { type: 'ProcessWarning', code: 'MP_PRELOAD_FAILED' },
  );
}

function startSpare(context: ContextName): void {
  if (!message || !enabled.has(context) || ready.has(context)) return;
  try {
    const env = { ...process.env };
    const cwd = workingDir();
    const worker =
      context === 'thread'
        ? startThreadSpare(message, warnPreloadFailed)
        : startChildSpare(message, warnPreloadFailed);
    ready.set(context, { worker, env, cwd });
  } catch {
    // The system refused a new worker (WorkerStartError): no spare for now. The next start tries
    // again, once: a spare is never retried in a loop.
  }
}

/**
 * Keeps one started worker ready per context, so a `Process` starts in a few milliseconds. The
 * nearest Python has is the forkserver: `preload` is `set_forkserver_preload()`'s list of modules.
 * @throws {ContextError} for an unknown context name.
 * @throws {ValidationError} for an unknown option, options that are not an object (`null` is read
 *   as none), or a `preload` that is not an array of task refs, `file:` URLs (strings or `URL`s) and
 *   absolute paths (a relative path such as `'./tasks.js'` too).
 * @example
 * enableWarmStart({ context: 'process', preload: [tasks.work] });
 * const p = new Process({ target: tasks.work, context: 'process' });
 * p.start(); // uses the spare; a new one is started right away
 */
export function enableWarmStart(options: WarmStartOptions | null = {}): void {
  const opts = readOptions(options, ['context', 'preload'], 'enableWarmStart()');
  const contexts = opts.context === undefined ? CONTEXT_NAMES : [opts.context].flat();
  for (const c of contexts) assertContextName(c);
  const preload = preloadModules(opts.preload);
  disableWarmStart();
  message = { kind: 'mp:spare', preload: [...new Set(preload)] };
  enabled = new Set(contexts);
  for (const c of enabled) startSpare(c);
}

/** The module URLs of a `preload` option: strings, `URL` objects and task refs. */
function preloadModules(preload: unknown): string[] {
  if (preload === undefined || preload === null) return [];
  const bad = (got: string) =>
    new ValidationError(
      `enableWarmStart(): preload is an array of task modules (their import.meta.url, or task refs from them), got ${got}. ` +
        'Write enableWarmStart({ preload: [tasks.work] }).',
    );
  if (!Array.isArray(preload)) throw bad(describeValue(preload));
  return preload.map((p, i) => {
    if (isTaskRef(p)) return p.module;
    if (p instanceof URL) return preloadUrl(p.href, i);
    if (typeof p === 'string' && p !== '') return preloadUrl(p, i);
    throw bad(`${describeValue(p)} at preload[${i}]`);
  });
}

/**
 * The URL a spare imports for a string entry: a `file:` URL as given, an absolute path (what `defineTasks()`
 * takes too: `__filename`, `require.resolve()`) made a `file:` URL, so that the spare imports the
 * module a target's task ref names. Anything else (`'./tasks.js'`) would be resolved inside the
 * spare, against no file of the program: refused here, where the mistake is made.
 */
function preloadUrl(entry: string, i: number): string {
  const path = process.getBuiltinModule('node:path');
  // A path first: `C:\app\tasks.js` would otherwise pass for a URL with the scheme `c:`.
  if (path.isAbsolute(entry)) return process.getBuiltinModule('node:url').pathToFileURL(entry).href;
  if (entry.startsWith('file:')) return entry;
  throw new ValidationError(
    `enableWarmStart(): preload[${i}] is '${entry}', neither a file: URL nor an absolute path: a ` +
      "spare could not tell which file it names (task modules are files). Pass a task ref (preload: [tasks.work]), the module's " +
      "import.meta.url, new URL('./tasks.js', import.meta.url), or an absolute path (__filename, " +
      "require.resolve('./tasks.js')).",
  );
}

/**
 * Stops the spares {@link enableWarmStart} keeps.
 * @example
 * enableWarmStart();
 * // ... start Processes ...
 * disableWarmStart(); // the spare ends; later starts are cold again
 */
export function disableWarmStart(): void {
  for (const spare of ready.values()) spare.worker.dispose();
  ready.clear();
  enabled = new Set();
  message = undefined;
}

/** Starts `start` on a ready spare of `context`, or returns `undefined` when there is none. */
export function runOnSpare(
  context: ContextName,
  start: StartMessage,
  transfer: readonly object[],
): Runner | undefined {
  const spare = ready.get(context);
  if (!enabled.has(context)) return undefined;
  ready.delete(context);
  setImmediate(() => startSpare(context));
  // A spare that could not boot is dropped: the caller starts a worker of its own.
  if (!spare || spare.worker.failed) {
    spare?.worker.dispose();
    return undefined;
  }
  // A child's working directory removed since: a spare cannot be moved there (no path left to
  // give it); a child of its own inherits it as it is, as a bare fork() does.
  if (context === 'process' && workingDir() === undefined) {
    spare.worker.dispose();
    return undefined;
  }
  const inherit = changedSince(spare, context);
  return spare.worker.activate(inherit ? { ...start, inherit } : start, transfer);
}

/** What of the parent's env (and a child's cwd) changed since `spare` was made; undefined if nothing. */
function changedSince(spare: Spare, context: ContextName): InheritedState | undefined {
  const now = process.env;
  const set: Record<string, string> = {};
  const unset: string[] = [];
  let changed = false;
  for (const key in now) {
    const value = now[key];
    if (value !== undefined && spare.env[key] !== value) {
      set[key] = value;
      changed = true;
    }
  }
  for (const key in spare.env) {
    if (now[key] === undefined) {
      unset.push(key);
      changed = true;
    }
  }
  const cwd = context === 'process' ? workingDir() : spare.cwd;
  if (!changed && cwd === spare.cwd) return undefined;
  return { ...(changed ? { env: { set, unset } } : {}), ...(cwd === spare.cwd ? {} : { cwd }) };
}
