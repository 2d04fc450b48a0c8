/**
 * Host side: what a worker that died while loading said about it, for the {@link WorkerStartError}
 * its pool's calls reject with. A thread reports its uncaught error as an `'error'` event; a child
 * process can only print it: Node writes an uncaught error to stderr as
 *
 * ```
 * file:///app/entry/worker.js:1          <- where, the source line and a caret
 * throw new Error('broken worker entry');
 * ^
 *
 * Error: broken worker entry             <- name [code]: message
 *     at file:///app/entry/worker.js:1:7 <- the stack
 *     ...
 *
 * Node.js v20.20.2
 * ```
 *
 * so the pool keeps the tail of a starting child's stderr ({@link StartOutput}) and reads the error
 * back from it ({@link reportedError}).
 */

/** How much of a starting child's stderr is kept (its end): Node's report of an error fits. */
const KEPT_CHARS = 16 * 1024;

/** The stderr a child writes until it is ready; nothing once it is. */
export class StartOutput {
  #text = '';
  #open = true;

  /** Keeps `text`, written to stderr, while the child has not said it is ready. */
  add(text: string): void {
    if (!this.#open) return;
    this.#text = (this.#text + text).slice(-KEPT_CHARS);
  }

  /** The child is ready: what it writes from now on is a task's, not its start-up's. */
  ready(): void {
    this.#open = false;
    this.#text = '';
  }

  /** The error the child printed before it died, if its stderr holds one. */
  error(): Error | undefined {
    return this.#open ? reportedError(this.#text) : undefined;
  }
}

const STACK_LINE = /^\s+at /;
const HEADER = /^([A-Za-z_$][\w$]*)(?: \[([\w$]+)\])?: (.*)$/;

/**
 * The last uncaught error Node reported in `text` (a process's stderr), rebuilt as an `Error` with
 * its name, message, `code` and stack as printed; `undefined` when `text` holds no such report.
 */
export function reportedError(text: string): Error | undefined {
  const lines = text.split('\n');
  let header = -1;
  for (let i = lines.length - 2; i >= 0; i--) {
    if (STACK_LINE.test(lines[i + 1]!) && !STACK_LINE.test(lines[i]!)) {
      header = i;
      break;
    }
  }
  if (header === -1) return undefined;
  const match = HEADER.exec(lines[header]!);
  const error = new Error(match ? match[3] : lines[header]!.trim());
  if (match) error.name = match[1]!;
  if (match?.[2]) Object.assign(error, { code: match[2] });
  let end = header + 1;
  while (end < lines.length && STACK_LINE.test(lines[end]!)) end++;
  error.stack = lines.slice(header, end).join('\n');
  return error;
}

/** Where `error` was thrown: its stack's first frame in a file, not in Node's own code. */
function thrownAt(error: Error): string | undefined {
  for (const line of (error.stack ?? '').split('\n')) {
    if (!STACK_LINE.test(line)) continue;
    const at = /((?:file:\/\/|\/|[A-Za-z]:\\)[^\s()]+:\d+:\d+)/.exec(line)?.[1];
    if (at) return at;
  }
  return undefined;
}

/**
 * Says that a worker threw `cause` while loading (`how`: "it exited with code 1"), with its name,
 * message and where it was thrown, for a {@link WorkerStartError}'s message.
 */
export function loadFailureDetail(cause: Error, how: string): string {
  const at = thrownAt(cause);
  return `${how} while loading, before it was ready: ${cause.name}: ${cause.message}${at ? ` (thrown at ${at})` : ''}`;
}

/** What to do about a worker that fails while loading. */
export const LOAD_FAILURE_ADVICE =
  'Fix the module named above; in a bundled app, check that the worker entries were emitted where it looks for them (see the bundling guide).';
