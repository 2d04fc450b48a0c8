/**
 * The caller's lines on an error that a wait rejects with. An error made where the wait ends (a
 * timer, a peer's message, a closed end) carries only the library's own frames: neither says
 * which line of the program waited. Python's traceback shows it. Here the error keeps its own
 * stack first and gains, below a header line, the frames of the code that awaited: V8's async
 * stack trace, captured as the wait fails, so nothing is captured for one that succeeds. Core's
 * pool calls (`internal/caller-stack.ts`) and ipc's `get()`/`recv()` use it.
 *
 * Each line of the program that awaited appears once (as CPython's test_broken_process_pool_traceback
 * asks of a traceback). An error made in a continuation of the awaited promise (ipc's waits end
 * that way) already ends with some of those frames, V8's own async trace: they move below the
 * header. An error thrown synchronously inside the awaited call (a closed pool, a bad argument)
 * already names the awaiting function at the line it awaits on: nothing is added.
 */

/**
 * Where an error keeps the stack it had before a caller's frames were added (so they are added
 * once). A registered symbol: each bundle that carries a copy of this file reads the same key.
 * @internal
 */
export const OWN_STACK: unique symbol = Symbol.for('multiproc.ownStack') as typeof OWN_STACK;

/** How many of Node's own frames can sit below a rejection handler (timers, ticks, microtasks). */
const NODE_FRAMES = 8;

/**
 * Adds to `err` (an `Error`) the frames of the code awaiting `below`, under `header`: call it in
 * the rejection handler `below` of the promise the caller awaits, or in the `catch` of the async
 * function `below` that the caller awaits. Anything else (not an error, a stack that cannot be
 * set, no caller frame) is left as it is; never throws.
 * @example
 * return work.catch(function onFail(err) { addCallerFrames(err, '  Where it was awaited:', onFail); throw err; });
 */
export function addCallerFrames(err: unknown, header: string, below: (...args: never[]) => unknown): void {
  if (!(err instanceof Error) || typeof Error.captureStackTrace !== 'function') return;
  const here: { stack?: string } = {};
  // Only the awaiting functions' frames: Node's own (processTicksAndRejections, or runNextTicks
  // when a timer's callback resolved the wait) say nothing, and they must not use up a small
  // `Error.stackTraceLimit`: captured with room for them, then cut at the limit.
  const limit = Object.getOwnPropertyDescriptor(Error, 'stackTraceLimit');
  const room = roomOf(limit);
  try {
    if (room !== undefined) Error.stackTraceLimit = room + NODE_FRAMES;
    try {
      Error.captureStackTrace(here, below);
    } finally {
      if (room !== undefined) Error.stackTraceLimit = limit!.value as number;
    }
  } catch {
    // Error frozen by the program after the read (or a capture that threw): the error goes as it is.
    return;
  }
  const frames = (here.stack ?? '')
    .split('\n')
    .slice(1)
    .filter((line) => !line.includes('(node:internal/') && !line.includes(' node:internal/'))
    .slice(0, room);
  if (frames.length === 0) return;
  const e = err as Error & { [OWN_STACK]?: string };
  try {
    let own = e[OWN_STACK];
    if (own === undefined) {
      if (typeof e.stack !== 'string') return;
      own = withoutTail(e.stack, frames);
      if (own === e.stack && namesAwaitingLine(own, frames[0]!)) return;
      Object.defineProperty(e, OWN_STACK, { value: own, configurable: true });
    }
    e.stack = `${own}\n${header}\n${frames.join('\n')}`;
  } catch {
    // A frozen error, or a stack that cannot be set: it goes as it is.
  }
}

/**
 * The frames V8 keeps, read as V8 reads them (a data property, never a getter: a throwing one must
 * not replace the error), when `addCallerFrames` may raise the limit for the capture: a writable
 * finite number (a negative one counts as 0, as in V8); `undefined` leaves it alone (Infinity, a
 * non-number, an accessor, a frozen `Error`).
 */
function roomOf(limit: PropertyDescriptor | undefined): number | undefined {
  if (!limit || !('value' in limit) || limit.writable !== true) return undefined;
  const value: unknown = limit.value;
  return typeof value === 'number' && Number.isFinite(value) ? Math.max(0, value) : undefined;
}

/**
 * `stack` without its last lines when they are the first of `frames` (the awaiting code's frames
 * V8 put in the error's own stack, in full or up to its `Error.stackTraceLimit`).
 */
function withoutTail(stack: string, frames: string[]): string {
  const lines = stack.split('\n');
  for (let k = Math.min(frames.length, lines.length - 1); k > 0; k--) {
    const tail = lines.slice(lines.length - k);
    if (tail.every((line, i) => line === frames[i])) return lines.slice(0, lines.length - k).join('\n');
  }
  return stack;
}

/**
 * Whether `stack` has a synchronous frame of `frame`'s function at `frame`'s file and line
 * (`frame` the first awaiting one: `at async f (file:12:5)`, `at f (file:12:5)`, or
 * `at async file:12:5` for a module's top level): the error was made inside the call that line
 * awaits, before it returned.
 */
function namesAwaitingLine(stack: string, frame: string): boolean {
  const parts = /^\s*at (?:async )?(?:(.+?) \()?(.+):(\d+):\d+\)?$/.exec(frame);
  if (parts === null) return false;
  const [, fn, file, line] = parts;
  return stack.includes(fn === undefined ? `at ${file}:${line}:` : `at ${fn} (${file}:${line}:`);
}
