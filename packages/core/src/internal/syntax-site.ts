/**
 * Where the SyntaxError that failed a task module's import sits. Node names the file and line of a
 * SyntaxError only when it goes uncaught in the main thread (or when `require()` compiled the file);
 * the error a worker's caught `import()` gets says "Unexpected token ';'" and nothing more (Node 20,
 * 22 and 24). Python's traceback names file and line, so the worker looks for them, on this failure
 * path only: it walks the task module's imports (static `import`/`export ... from` and
 * `import('literal')`, from `file:` URLs, the program's own files before those under node_modules)
 * and has Node check each file's syntax (`node --check`, which reads a file by Node's own rules and
 * prints file, line, source line and caret), stopping at the first that fails with the same message.
 * The walk is bounded (files and time); without a result the message stays as it was.
 */

/** Files looked at, at most, and the time spent checking them. */
const MAX_FILES = 200;
const BUDGET_MS = 5000;
/** Larger files are neither scanned nor checked (a bundle, a data file). */
const MAX_BYTES = 4 * 1024 * 1024;
/** Only files Node itself parses as JavaScript: a TypeScript file goes through a loader (tsx). */
const CHECKED = /\.(?:m|c)?js$/;

/** `file:line`, the source line and the caret, as Node prints them (uncaught, `--check`, require()). */
const ARROW = /^(.+?):(\d+)\r?\n(.*)\r?\n( *[\t ]*\^+)[ \t]*\r?\n/;

/** Comments and strings, matched so that an import inside them is skipped, and the imports themselves. */
const SCAN =
  /\/\*[\s\S]*?\*\/|\/\/[^\n]*|(?<![.\w$])(?:import|export)\s*(?:[\w*${}\s,]*?\s*from\s*)?(['"])([^'"\n]+)\1|(?<![.\w$])import\s*\(\s*(['"`])([^'"`\n$]+)\3\s*[,)]|`(?:\\[\s\S]|[^\\`])*`|'(?:\\.|[^\\'\n])*'|"(?:\\.|[^\\"\n])*"/g;

export interface SyntaxSite {
  /** `file:` URL of the broken file. */
  url: string;
  line: number;
  column: number;
  /** The source line and a caret under the error, as Node prints them (empty for a long line). */
  excerpt: string;
}

/** Reads Node's arrow report (`path:line`, source line, caret) off the start of `text`. */
function readArrow(text: string): SyntaxSite | undefined {
  const found = ARROW.exec(text);
  if (!found) return undefined;
  const [, where, line, source, caret] = found as unknown as [string, string, string, string, string];
  const { isAbsolute } = process.getBuiltinModule('node:path');
  const { pathToFileURL } = process.getBuiltinModule('node:url');
  let url: string;
  if (where.startsWith('file:')) url = where;
  else if (isAbsolute(where)) url = pathToFileURL(where).href;
  else return undefined;
  const column = caret.indexOf('^') + 1;
  const excerpt = source.length <= 200 ? `${source}\n${caret}` : '';
  return { url, line: Number(line), column, excerpt };
}

/** The specifiers a module imports statically or with `import('literal')`, in source order. */
export function importSpecifiers(source: string): string[] {
  const specifiers: string[] = [];
  for (const match of source.matchAll(SCAN)) {
    const specifier = match[2] ?? match[4];
    if (specifier !== undefined) specifiers.push(specifier);
  }
  return specifiers;
}

/** The file a specifier names from `fromPath`, or undefined (a builtin, not a file, not found). */
function resolveFile(specifier: string, fromPath: string): string | undefined {
  const { fileURLToPath, pathToFileURL } = process.getBuiltinModule('node:url');
  const { isAbsolute } = process.getBuiltinModule('node:path');
  try {
    if (specifier.startsWith('node:') || /^[a-z][a-z\d+.-]*:/i.test(specifier)) {
      if (!specifier.startsWith('file:')) return undefined;
      return fileURLToPath(new URL(specifier));
    }
    if (/^\.{0,2}\//.test(specifier)) {
      const url = new URL(specifier, pathToFileURL(fromPath));
      url.search = '';
      url.hash = '';
      return fileURLToPath(url);
    }
    const path = process.getBuiltinModule('node:module').createRequire(fromPath).resolve(specifier);
    return isAbsolute(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

/** The files `moduleUrl` imports, itself first, the program's own before node_modules', bounded. */
function importGraph(moduleUrl: string): string[] {
  const { readFileSync, statSync } = process.getBuiltinModule('node:fs');
  const { fileURLToPath } = process.getBuiltinModule('node:url');
  const seen = new Set<string>();
  const own: string[] = [];
  const packages: string[] = [];
  const add = (path: string): void => {
    if (seen.has(path) || seen.size >= MAX_FILES || !CHECKED.test(path)) return;
    seen.add(path);
    (/[/\\]node_modules[/\\]/.test(path) ? packages : own).push(path);
  };
  add(fileURLToPath(moduleUrl));
  const order: string[] = [];
  while (own.length > 0 || packages.length > 0) {
    const path = (own.length > 0 ? own.shift() : packages.shift()) as string;
    let source: string;
    try {
      if (statSync(path, { bigint: true }).size > BigInt(MAX_BYTES)) continue;
      source = readFileSync(path, 'utf8');
    } catch {
      continue;
    }
    order.push(path);
    for (const specifier of importSpecifiers(source)) {
      const file = resolveFile(specifier, path);
      if (file !== undefined) add(file);
    }
  }
  return order;
}

/** Node's `--check` of one file: its arrow report when it fails with a SyntaxError saying `message`. */
function check(path: string, message: string, timeout: number): Promise<SyntaxSite | undefined> {
  const { execFile } = process.getBuiltinModule('node:child_process');
  // The program's NODE_OPTIONS (--import tsx, --require ...) would run its preloads in the check.
  const { NODE_OPTIONS: _, ...env } = process.env;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--check', path],
      { env, timeout, encoding: 'utf8', windowsHide: true },
      (error, _stdout, stderr) => {
        if (!error || !stderr.includes(`SyntaxError: ${message}`)) resolve(undefined);
        else resolve(readArrow(stderr));
      },
    );
  });
}

/** A runtime whose executable is Node itself, so that `execPath --check` means what it does there. */
function runsNode(): boolean {
  return (
    !('Deno' in globalThis) && process.versions.bun === undefined && process.versions.electron === undefined
  );
}

/**
 * Where the SyntaxError `err` that failed the import of `moduleUrl` sits, or undefined when it is no
 * such error, its place cannot be found within the bounds, or Node cannot check files here. Resolves,
 * never rejects.
 */
export async function syntaxErrorSite(moduleUrl: string, err: unknown): Promise<SyntaxSite | undefined> {
  try {
    const error = err as { name?: unknown; message?: unknown; stack?: unknown } | null;
    if (error?.name !== 'SyntaxError' || typeof error.message !== 'string') return undefined;
    const stack = typeof error.stack === 'string' ? error.stack : '';
    // A CommonJS file's compile error carries its place at the top of its stack.
    const decorated = readArrow(stack);
    if (decorated) return decorated;
    // Thrown by running code (JSON.parse, new Function) rather than by compiling a module: its
    // stack names the code that threw.
    const frames = stack.split('\n').filter((line) => /^\s+at /.test(line));
    if (frames.length === 0 || frames.some((line) => !/\(?node:/.test(line))) return undefined;
    if (!moduleUrl.startsWith('file:') || !runsNode()) return undefined;
    // Every call of a broken module's tasks fails its import again (a map, chunk by chunk): the
    // walk runs once per module and error in this realm.
    const key = `${moduleUrl}\0${error.message}`;
    let found = searched.get(key);
    if (!found) {
      found = search(moduleUrl, error.message);
      searched.set(key, found);
    }
    return await found;
  } catch {}
  return undefined;
}

const searched = new Map<string, Promise<SyntaxSite | undefined>>();

/** The first file of the module's import graph that Node's check fails with `message`. */
async function search(moduleUrl: string, message: string): Promise<SyntaxSite | undefined> {
  const deadline = Date.now() + BUDGET_MS;
  for (const path of importGraph(moduleUrl)) {
    const left = deadline - Date.now();
    if (left <= 0) return undefined;
    const site = await check(path, message, left);
    if (site) return site;
  }
  return undefined;
}

/** ` (at <url>:<line>:<column>)`, for the end of the error's first line. */
export function siteSuffix(site: SyntaxSite): string {
  return ` (at ${site.url}:${site.line}:${site.column})`;
}
