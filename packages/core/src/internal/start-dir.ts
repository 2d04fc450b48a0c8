/**
 * The working directory the program started in (Python's `multiprocessing.process.ORIGINAL_DIR`),
 * recorded when this package is first imported: Node resolved the program's relative `--import`,
 * `--require` and `--loader` specifiers against it, so a worker started after `process.chdir()`
 * must get them resolved against it too (`start-args.ts`). Kept on `globalThis`: the worker entries
 * carry their own copy of this module, and the first copy in a realm is the one that saw the start.
 */
const START_DIR = Symbol.for('multiproc.startDir');
const realm = globalThis as { [START_DIR]?: string };

/**
 * The working directory now, or `undefined` when it was removed (`process.cwd()` then throws
 * `ENOENT` from `uv_cwd`): a child forked then inherits it as it is, as a bare `fork()` does.
 */
export function workingDir(): string | undefined {
  try {
    return process.cwd();
  } catch {
    return undefined;
  }
}

// The directory removed before this package loaded: nothing to resolve against.
realm[START_DIR] ??= workingDir();

/** The directory at start-up, or `undefined` when it could not be read. */
export function startDir(): string | undefined {
  return realm[START_DIR];
}
