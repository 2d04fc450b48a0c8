/**
 * Forwards a worker's stdout/stderr to the parent's stream one whole line at a time, so output from
 * concurrent workers never interleaves inside a line (Python's own output can: see the source
 * document's Ans6). A trailing partial line is written when the stream ends, as it is: a newline the
 * worker never wrote is not added (Python adds none either).
 *
 * A daemon child is not waited for, so when the program exits, lines it wrote may still sit in the
 * pipe. {@link drainAll} reads such pipes synchronously from the `'exit'` handler and writes out
 * what is there, so every line written before the program ended arrives.
 *
 * A child's pipes end when every process holding them has closed them, not when the child exits: a
 * program the child started with its stdout or stderr (a server, `stdio: 'inherit'`, detached)
 * keeps them open after the child is gone. So a child's end is its `'exit'`, and then
 * {@link ChildOutput.childExited} reads what the child wrote, which is in the pipes by then (a dead
 * process writes nothing more), and lets go of the pipes: what such a program prints later is
 * still forwarded while this program runs, but the pipes no longer keep it alive.
 */
import { readSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { watchMainOutput, writeNow, writeQueuedNow } from './main-stdio.js';
import { saysHeapOutOfMemory } from './out-of-memory.js';

/** The longest partial line held for its end (UTF-16 units, ~4 MiB): past it, it goes as it is. */
const MAX_HELD_LINE = 4 * 1024 * 1024;
/** A carriage return that is not half of a `\r\n` line end: the worker redraws its line. */
const REDRAW = /\r(?!\n)/;

/** Pipes `source` into `target` line by line. */
class LineForwarder {
  readonly #decoder = new StringDecoder('utf8');
  readonly #source: Readable;
  /** Writes forwarded text to the target stream (after `watch` saw it). */
  readonly #write: (text: string) => void;
  #pending = '';
  #ended = false;
  /** Resolves when `source` has ended. */
  readonly done: Promise<void>;

  constructor(source: Readable, target: Writable, watch?: (text: string) => void) {
    this.#source = source;
    // A reader behind the program's stream: the worker's pipe is read no more until the line is
    // written (as Node's pipe() does), so the program holds about one chunk per worker however
    // long the worker prints, and the worker waits on its pipe as on a terminal that scrolls.
    let held = false;
    const write = (text: string) => {
      watch?.(text);
      let written = false;
      const more = writeForwarded(target, text, () => {
        written = true;
        if (held) source.resume();
        held = false;
      });
      if (more || written || held) return;
      held = true;
      source.pause();
    };
    this.#write = write;
    this.done = new Promise((resolve) => {
      source.on('data', (chunk: Buffer | string) => this.#push(chunk, write));
      const finish = () => {
        this.#finish(write);
        resolve();
      };
      source.once('end', finish);
      source.once('close', finish);
      source.once('error', finish);
    });
  }

  /**
   * Writes what `chunk` completes, up to its last `\n`; a chunk that redraws its line (a `\r` not
   * before `\n`: a progress bar) goes whole, so each state shows as it comes. Only the new text is
   * searched, so a worker printing dots for minutes costs no more per chunk than one printing
   * lines; a partial line past {@link MAX_HELD_LINE} goes as it is, so a line that never ends
   * cannot fill the program's memory.
   */
  #push(chunk: Buffer | string, write: (text: string) => void): void {
    const piece = typeof chunk === 'string' ? chunk : this.#decoder.write(chunk);
    const cut = REDRAW.test(piece) ? piece.length - 1 : piece.lastIndexOf('\n');
    if (cut === -1) {
      this.#pending += piece;
      if (this.#pending.length <= MAX_HELD_LINE) return;
      const text = this.#pending;
      this.#pending = '';
      return void write(text);
    }
    const text = this.#pending + piece.slice(0, cut + 1);
    this.#pending = piece.slice(cut + 1);
    write(text);
  }

  #finish(write: (text: string) => void): void {
    if (this.#ended) return;
    this.#ended = true;
    const rest = this.#pending + this.#decoder.end();
    this.#pending = '';
    if (rest) write(rest);
  }

  /**
   * At this program's exit: reads what is left in the pipe now, without waiting (none for a
   * thread's stream), and hands it to `write`, the last partial line included. What the stream
   * holds (read while it waited for the program's reader) goes first, on the stream's own route:
   * into the program's queue, which the exit writes before `write`'s text.
   */
  drainSync(write: (text: string) => void): void {
    if (this.#ended) return;
    const source = this.#source;
    while (source.readableLength > 0 && source.read() !== null) {}
    this.#readPipe(write);
    this.#finish(write);
  }

  /**
   * At the child's exit: forwards, in order, what it wrote and was not read yet (in the stream's
   * buffer, then in the pipe), and its last partial line. The stream goes on forwarding what
   * another holder of the pipe writes later. Returns whether the pipe could be read here (it has
   * a descriptor, or it has ended); when not, the caller waits for its end instead.
   */
  drainNow(): boolean {
    if (this.#ended) return true;
    const source = this.#source;
    // Anything the stream holds goes out first, through its own 'data' listener (read() in flowing
    // mode emits what it returns).
    while (source.readableLength > 0 && source.read() !== null) {}
    const fd = pipeFd(source);
    if (fd === undefined) return this.#ended || source.readableEnded || source.destroyed;
    this.#readPipe(this.#write);
    const rest = this.#pending + this.#decoder.end();
    this.#pending = '';
    if (rest) this.#write(rest);
    return true;
  }

  /** Reads the stream's pipe until it is empty for now (or at its end), without waiting. */
  #readPipe(write: (text: string) => void): void {
    const fd = pipeFd(this.#source);
    const buffer = Buffer.allocUnsafe(DRAIN_CHUNK_BYTES);
    for (let total = 0; fd !== undefined && total < DRAIN_LIMIT_BYTES; ) {
      let n: number;
      try {
        n = readSync(fd, buffer, 0, buffer.length, null);
      } catch {
        break; // EAGAIN: the pipe is empty for now (or already closed).
      }
      if (n === 0) break;
      total += n;
      this.#push(buffer.subarray(0, n), write);
    }
  }
}

/**
 * Writes a worker's output (or what this program reports about a worker: its uncaught error) to
 * the parent's stream, or drops it once that stream is closed (the program's reader left:
 * `node app.mjs | head -1`). The write that finds the reader gone would otherwise end the program
 * with an unhandled `'error'` (EPIPE) on `process.stdout` for a line it did not print. The write's
 * callback, which runs before the stream emits the error, adds a one-time listener for that very
 * error; the program's own writes keep Node's usual behaviour. Returns `write()`'s answer (`false`:
 * the stream's buffer is full); `written` is called once the text is written or failed.
 */
export function writeForwarded(target: Writable, text: string | Uint8Array, written?: () => void): boolean {
  if (isClosed(target)) return true;
  forwardedQueued.count++;
  const more = target.write(text, (error) => {
    forwardedQueued.count--;
    written?.();
    if (!error) return;
    const state = (target as { _writableState?: { errorEmitted?: boolean } })._writableState;
    const emittedBefore = state?.errorEmitted;
    // Each failed write is emitted (process.stdout is never destroyed): one listener each.
    target.once('error', (emitted: unknown) => {
      // Another failure than the one this write met is the program's own: not ours to hide.
      if (emitted !== error) throw emitted;
      // Node's console ignores a failed write only on a stream on which no error was emitted yet:
      // the stream is left as it was, so the program's next console.log() fares as it would have.
      if (state && typeof emittedBefore === 'boolean') state.errorEmitted = emittedBefore;
    });
  });
  // A replaced write (a capture, a logger) may answer nothing: only `false` says the buffer is full.
  return more !== false;
}

/**
 * Takes over Node's own forwarding of a worker thread made without `stdout: true`/`stderr: true`
 * (a pool's threads, a daemon `Process`): Node pipes its streams into `process.stdout`/`stderr`
 * with `.pipe()`, whose `'error'` listener on the target, once the program's reader left, emits the
 * EPIPE again with nobody listening (an unhandled `'error'`), and whose mere presence keeps
 * `console.log()` from adding its own guard: the program's first `console.log()` after the reader
 * left ended it, where the same program without threads goes on. The streams carry only what a
 * thread writes before it writes to the descriptors itself (`worker/direct-output.ts`), or all it
 * writes when it does not (the program replaced its `process.stdout.write`). Forwarded a whole line
 * at a time, as every worker's output is: Node's chunk-by-chunk forwarding let a line a thread wrote
 * in several `write()` calls have another thread's output between its pieces. A thread's unfinished
 * line is written when its stream ends, or at the program's exit (a daemon's). Reading the streams
 * does not keep the program alive (Node marked them so when it piped them).
 */
export function forwardThreadOutput(thread: { stdout: Readable | null; stderr: Readable | null }): void {
  watchMainOutput();
  for (const [source, target] of [
    [thread.stdout, process.stdout],
    [thread.stderr, process.stderr],
  ] as const) {
    if (!source) continue;
    source.unpipe(target);
    const lines = new LineForwarder(source, target);
    const atEnd: Drain = (into) => lines.drainSync((text) => into.push({ target, text }));
    hookExit();
    atExit.add(atEnd);
    void lines.done.then(() => atExit.delete(atEnd));
    // unpipe() paused it, and a 'data' listener does not resume an explicitly paused stream.
    source.resume();
  }
}

/** Forwarded writes not written yet: the program's exit then writes out what its streams queued. */
const forwardedQueued = { count: 0 };

function isClosed(target: Writable): boolean {
  return target.destroyed || target.writableEnded || Boolean(target.errored);
}

const DRAIN_CHUNK_BYTES = 64 * 1024;
/** A child still writing must not keep the exiting program reading forever. */
const DRAIN_LIMIT_BYTES = 16 * 1024 * 1024;

/** Pipes `source` into `target` line by line; resolves when `source` has ended. */
export function forwardLines(source: Readable, target: Writable): Promise<void> {
  watchMainOutput();
  return new LineForwarder(source, target).done;
}

/** What a worker wrote and the program had not written when it exited. */
type Piece = { target: Writable; text: string };
type Drain = (into: Piece[]) => void;
const atExit = new Set<Drain>();
let hooked = false;

/**
 * How many children's output this realm forwards now. ipc reads it before it resolves a wait that
 * frames from a socket settled: a line such a child printed before it sent may still be in its
 * pipe, so the wait is resolved after the next poll phase, once the pipe's callback forwarded the
 * line (ipc/src/internal/link/output-order.ts). On `globalThis`: this module has a copy in each bundle.
 */
const forwarding: { live: number } = ((globalThis as Record<symbol, unknown>)[
  Symbol.for('multiproc.childOutputForwarding')
] ??= { live: 0 }) as { live: number };

function pipeFd(stream: Readable): number | undefined {
  const fd = (stream as unknown as { _handle?: { fd?: number } })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}

/** A child's forwarded output (see {@link forwardChildOutput}). */
export interface ChildOutput {
  /** Resolves when both streams have ended: when every process holding the pipes closed them. */
  readonly done: Promise<void>;
  /**
   * Call it at the child's `'exit'`: forwards what the child wrote and was not read yet, and lets
   * go of the pipes (unref'd). Resolves once that is written (at once where the pipes can be read
   * synchronously; elsewhere when they end, or after {@link LAST_OUTPUT_MS}).
   */
  childExited(): Promise<void>;
}

/** Where a pipe cannot be read synchronously: how long a child's exit waits for its end (ms). */
export const LAST_OUTPUT_MS = 1000;

/**
 * Forwards a child's stdout and stderr line by line and, if the program exits first (a daemon
 * child, or `process.exit()`), drains at exit what it wrote and was not read yet. `onOutOfMemory`
 * is called once V8's out-of-memory message crosses stderr; `onStderr` sees each piece of stderr
 * text (whole lines) as it is forwarded. The child's end is its `'exit'`, not the end of its pipes
 * (see the module's comment): call {@link ChildOutput.childExited} then.
 */
export function forwardChildOutput(
  stdout: Readable,
  stderr: Readable,
  onOutOfMemory?: () => void,
  onStderr?: (text: string) => void,
): ChildOutput {
  watchMainOutput();
  const out = new LineForwarder(stdout, process.stdout);
  let toldMemory = false;
  const err = new LineForwarder(stderr, process.stderr, (text) => {
    onStderr?.(text);
    if (toldMemory || !onOutOfMemory || !saysHeapOutOfMemory(text)) return;
    toldMemory = true;
    onOutOfMemory();
  });
  const drain: Drain = (into) => {
    out.drainSync((text) => into.push({ target: process.stdout, text }));
    err.drainSync((text) => into.push({ target: process.stderr, text }));
  };
  hookExit();
  atExit.add(drain);
  // Counted while the child can still write: ipc orders its waits behind its lines (see above).
  forwarding.live++;
  let live = true;
  const notLive = () => {
    if (!live) return;
    live = false;
    forwarding.live--;
  };
  const done = Promise.all([out.done, err.done]).then(() => {
    atExit.delete(drain);
    notLive();
  });
  let exited: Promise<void> | undefined;
  return {
    done,
    childExited() {
      if (exited) return exited;
      const drained = out.drainNow() && err.drainNow();
      notLive();
      for (const stream of [stdout, stderr]) (stream as { unref?(): void }).unref?.();
      exited = drained ? Promise.resolve() : endedWithin(done, LAST_OUTPUT_MS);
      return exited;
    },
  };
}

/** `promise`, or `ms` later, whichever comes first (the timer holds the program meanwhile). */
function endedWithin(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

function hookExit(): void {
  if (!hooked) process.on('exit', drainAll);
  hooked = true;
}

/**
 * At this program's exit: writes what its workers wrote and it had not written yet (in their pipes,
 * or held as an unfinished line), after what its stdout and stderr still have queued: Node writes
 * nothing of its queue once the program exits, and a line written past it came out cut into the
 * queued one.
 */
function drainAll(): void {
  const pieces: Piece[] = [];
  for (const drain of atExit) drain(pieces);
  atExit.clear();
  if (pieces.length === 0 && forwardedQueued.count === 0) return;
  writeQueuedNow();
  for (const { target, text } of pieces) {
    if (isClosed(target)) continue;
    // A replaced write (a capture, a logger) gets it as it got the rest.
    if (Object.hasOwn(target, 'write')) writeForwarded(target, text);
    else writeNow(target === process.stdout ? 1 : 2, Buffer.from(text));
  }
}
