/**
 * Which `defineTasks()` call registered each task of a module, so that a second call in the same
 * module giving another function under a name already taken is refused. Python refuses the same
 * thing when it pickles: a function whose module attribute of that name is another object
 * ("it's not the same object as __main__.same"). A call is known by the module line that made it:
 * a module evaluated again (a worker importing it, a test re-importing it, hot reload) makes its
 * calls from the same lines, and may re-register its names with new functions.
 */
import { ValidationError, withArticle } from '@multiproc/shared';

// Per realm, as the registry itself: module URL -> task name -> the call site that registered it.
const SITES_KEY = Symbol.for('multiproc.taskSites');
const sitesByModule: Map<string, Map<string, string>> = ((globalThis as any)[SITES_KEY] ??= new Map());

/** The index of `callSiteIn()`'s caller's caller among its stack's frames. */
const OWN_FRAME = 2;

/**
 * The frame of the stack that is the calling module's own line (where `defineTasks()` was called
 * from, or a helper in it), or `''` when stacks are turned off.
 */
export function callSiteIn(url: string): string {
  // The module's path is needed only when no frame names its URL (CommonJS frames name paths):
  // node:url, read when called (an ES import of a Node module costs every import of core), is then
  // not loaded in a worker whose ES task module calls this (~0.3 ms of its start, issue #18).
  let path: string | undefined;
  const pathOf = (): string => {
    if (path === undefined) {
      try {
        path = process.getBuiltinModule('node:url').fileURLToPath(url);
      } catch {
        path = url;
      }
    }
    return path;
  };
  const isOwn = (line: string) => line.includes(url) || line.includes(pathOf());
  // Frames: this function, defineTasks(), then its caller, which is nearly always the module's own
  // line: a stack of those three frames finds it without writing out the loader's frames, whose
  // files' line tables V8 would build for it (every worker importing the module calls this: issue
  // #18). Otherwise, the whole stack, as before.
  const limit = Error.stackTraceLimit;
  const shortened = typeof limit === 'number' && limit > OWN_FRAME + 1 && setStackLimit(OWN_FRAME + 1);
  let lines: string[];
  try {
    lines = linesOf(new Error().stack);
  } finally {
    if (shortened) setStackLimit(limit);
  }
  let own = lines.find((line) => line.includes(url)) ?? lines.find(isOwn);
  if (own === undefined && shortened) {
    lines = linesOf(new Error().stack);
    own = lines.find(isOwn);
  }
  // A query or hash on the module's URL (`tasks.mjs?v=2`, a test or hot reload importing it
  // afresh) is the same file and line.
  return (own ?? lines[OWN_FRAME] ?? '')
    .trim()
    .replace(/^at /, '')
    .replace(/[?#][^\s:)]*(?=:\d+:\d+)/, '');
}

/** Sets `Error.stackTraceLimit`; false where it cannot be set (a frozen `Error`). */
function setStackLimit(limit: number): boolean {
  try {
    Error.stackTraceLimit = limit;
    return Error.stackTraceLimit === limit;
  } catch {
    return false;
  }
}

/**
 * Refuses a value of `defineTasks()`'s object that a worker cannot call as a task: not a function,
 * or a class (a worker calls the task, and a class cannot be called without `new`: the call failed
 * in the worker with "Class constructor X cannot be invoked without 'new'").
 */
export function checkTaskFunction(name: string, fn: unknown): void {
  if (typeof fn !== 'function') {
    throw new ValidationError(
      `defineTasks(): '${name}' is ${withArticle(typeof fn)}, not a function. Pass only top-level functions.`,
    );
  }
  if (Function.prototype.toString.call(fn).startsWith('class')) {
    throw new ValidationError(
      `defineTasks(): '${name}' is a class, which a worker cannot call as a task (it needs new). ` +
        `Register a function that uses it: { ${name}: (...args) => new ${fn.name || 'TheClass'}(...args) }; ` +
        'an instance sent back arrives as a plain object of its fields, unless its class has a codec ' +
        '(encodeSymbol and registerCodec).',
    );
  }
}

/**
 * Throws when `name` of `url` was registered, with a function other than `fn`, by another
 * `defineTasks()` call of the same module than the one at `site`.
 * @throws {ValidationError} naming the task, the module and both calls.
 */
export function checkTaskName(url: string, name: string, fn: unknown, previous: unknown, site: string): void {
  const before = sitesByModule.get(url)?.get(name);
  if (previous === undefined || previous === fn || before === undefined || before === site) return;
  throw new ValidationError(
    `defineTasks(): task '${name}' of ${url} is already defined, with another function, by another ` +
      `defineTasks() call of that module (${before}; this one: ${site}). A task is found by its ` +
      'module and name, so a worker could run only one of them: give one of the two another name ' +
      `(Python refuses this too: "it's not the same object as ${name}").`,
  );
}

/** Records that the call at `site` registered `name` of `url`. */
export function claimTaskName(url: string, name: string, site: string): void {
  let sites = sitesByModule.get(url);
  if (!sites) sitesByModule.set(url, (sites = new Map()));
  sites.set(name, site);
}

/** Drops the call sites of a module (its import failed). */
export function forgetSites(url: string): void {
  sitesByModule.delete(url);
}

/**
 * Refuses a `defineTasks()` call made inside a function of the module at `url` that code in
 * another module called, and not during that module's own evaluation (a wrapper such as
 * `export const tasksOf = (fns) => defineTasks(import.meta.url, fns)` used from `app.mjs`). A
 * worker imports only `url` to find a task, and that import does not make the call: the task would
 * be found only by workers that had imported the calling module for another task, so calls would
 * fail or succeed by worker. Python finds a function by its own module, so the same call always
 * works or always fails.
 * @param site what {@link callSiteIn} returned for this call.
 * @throws {ValidationError} naming both modules and the line to write instead.
 */
export function refuseCallFromElsewhere(url: string, site: string): void {
  // Only a named function's frame (`name (location)`) can be a wrapper: the usual case,
  // defineTasks() in the module's top-level code, stops here without reading the stack again.
  if (!isFunctionFrame(site)) return;
  let path = url;
  try {
    path = process.getBuiltinModule('node:url').fileURLToPath(url);
  } catch {}
  const own = (frame: string) => {
    const file = fileOf(frame);
    return file === url || file === path;
  };
  const limit = Error.stackTraceLimit;
  const deeper = typeof limit === 'number' && limit < STACK_READ && setStackLimit(STACK_READ);
  let frames: string[];
  try {
    frames = linesOf(new Error().stack).map((line) => line.trim().replace(/^at /, ''));
  } finally {
    if (deeper) setStackLimit(limit);
  }
  // The module's own evaluation on the stack (its top-level code, or a callback it handed to
  // other code) is what a worker's import runs too; so is a stack cut short before it shows.
  if (frames.some((frame) => own(frame) && !isFunctionFrame(frame))) return;
  if (frames.length >= STACK_READ) return;
  // Refused only when another module's own evaluation (its top-level code, run by Node's module
  // loader) led to this call: code run later (a timer, a callback) may be what the module itself
  // awaits, and another runner's loader (a test runner's) is left alone.
  const at = frames.findIndex(own);
  const by = frames.findIndex(
    (frame, i) =>
      i > at &&
      !own(frame) &&
      !isFunctionFrame(frame) &&
      /^(?:file:|\/|[A-Za-z]:\\)/.test(fileOf(frame)) &&
      /node:internal\/modules\//.test(frames[i + 1] ?? ''),
  );
  if (at < 0 || by < 0) return;
  const file = fileOf(frames[by]!);
  const name = (f: string) => f.replace(/^.*[/\\]/, '');
  const fn = /^(?:async )?(\S+) \(/.exec(site)?.[1];
  throw new ValidationError(
    `defineTasks() for ${name(path)} was called from ${name(file)}, through ${fn}() in ${name(path)}: ` +
      `a worker imports only ${name(path)} to find these tasks, and that import does not make this call, ` +
      `so they would run only on workers that happened to import ${name(file)} first. Call ` +
      `defineTasks(import.meta.url, { ... }) (in CommonJS: defineTasks(__filename, { ... })) in ${name(file)} itself, ` +
      'for the functions defined there.',
  );
}

/**
 * The frames of a stack trace, or none where `Error.prepareStackTrace` made it no string. The
 * caller makes the `Error`, so that the frames counted above stay its own.
 */
function linesOf(stack: unknown): string[] {
  return typeof stack === 'string' ? stack.split('\n').slice(1) : [];
}

/** How many frames {@link refuseCallFromElsewhere} reads: enough to reach a module's evaluation. */
const STACK_READ = 64;

/** A frame of a named function (`name (location)`), not of a module's top-level code. */
export function isFunctionFrame(frame: string): boolean {
  const name = /^(?:async )?(\S+) \(.+\)$/.exec(frame)?.[1];
  // CommonJS's module wrapper, and code evaluated by a loader or test runner, print a name too.
  return (
    name !== undefined && name !== 'Object.<anonymous>' && name !== 'eval' && !name.startsWith('Module.')
  );
}

/** The file (URL or path) of a stack frame, without a query or hash. */
function fileOf(frame: string): string {
  const location = /\((.+)\)$/.exec(frame)?.[1] ?? frame.replace(/^async /, '');
  return location.replace(/:\d+:\d+$/, '').replace(/[?#].*$/, '');
}
