import {
  ATOMIC_WRITE_BYTES,
  claimCell,
  lockOutput,
  outputBoard,
  putSlot,
  takeSlot,
  unlockOutput,
  writeAll,
  writeShort,
} from './output-board.js';

/**
 * Worker side, threads only: a worker thread's `process.stdout`/`stderr` normally post each write
 * to the main thread, which writes it out on its own event loop, later. Two things went wrong:
 *
 * - A daemon worker (or a pool worker) that logs and then lets the program end, say by
 *   `taskDone()` before the main thread's `jq.join()`, lost those lines: the program exited with
 *   them still in flight (1 to 50 of 50 arrived).
 * - A worker that logs and then signals (`q.put()`, `conn.send()`, `taskDone()`, `ev.set()`)
 *   often had its line printed after the line the main thread printed once it saw the signal
 *   (3 to 19 pairs in 20), an order Python never shows: the signal travels on another port.
 *
 * Here the worker writes to file descriptors 1 and 2 itself, synchronously, as a Python thread
 * does: a line is out once `console.log()` returns, before anything the worker does next.
 *
 * Lines from concurrent workers never mix inside a line: a write goes out up to its last newline,
 * under the output board's lock (`output-board.ts`), so no other thread of this process writes
 * in between however long the lines are or however the descriptor takes them; the rest waits for
 * its line's end. The unfinished line waits on the board, where the thread's parent writes it if
 * the thread is terminated (or the program ends under a daemon); a thread that exits writes it
 * itself. It is written as it is, without a newline it never had, as Python does.
 */

const NEWLINE = 0x0a;
/** Set in a realm whose stdout reaches descriptor 1 synchronously (see {@link writesOutputDirectly}). */
const DIRECT_KEY = Symbol.for('multiproc.directOutput');

/**
 * Writes whole lines in pieces a pipe keeps whole, each cut after a newline where one fits: a
 * forked child writing to the same pipe cannot cut into them either.
 */
function writeLines(fd: number, data: Uint8Array): void {
  let start = 0;
  while (data.length - start > ATOMIC_WRITE_BYTES) {
    let end = data.lastIndexOf(NEWLINE, start + ATOMIC_WRITE_BYTES - 1) + 1;
    // One line longer than a pipe keeps whole: in one write all the same.
    if (end <= start) end = data.indexOf(NEWLINE, start + ATOMIC_WRITE_BYTES) + 1;
    writeAll(fd, data.subarray(start, end));
    start = end;
  }
  if (start < data.length) writeAll(fd, data.subarray(start));
}

/** Whether `data` holds a carriage return that is not half of a `\r\n` line end. */
function redraws(data: Buffer): boolean {
  for (let at = data.indexOf(13); at !== -1; at = data.indexOf(13, at + 1))
    if (data[at + 1] !== NEWLINE) return true;
  return false;
}

/** One descriptor's writer: whole lines at once, the unfinished one kept back. */
class DirectWriter {
  readonly #fd: number;
  /** Where this writer's unfinished line is: nowhere, on the board, or here (too long for a slot). */
  #pending: 'none' | 'slot' | Buffer = 'none';

  constructor(fd: number) {
    this.#fd = fd;
  }

  write(data: Buffer): void {
    // The common case, short whole lines (`console.log()`): written at once, alongside other threads'.
    if (this.#pending === 'none' && data[data.length - 1] === NEWLINE && writeShort(this.#fd, data)) return;
    lockOutput();
    try {
      const before = this.#take();
      const all = before ? Buffer.concat([before, data]) : data;
      // A write that redraws its line (a progress bar's `\r`) goes whole: each state shows as it comes.
      const cut = redraws(data) ? all.length : all.lastIndexOf(NEWLINE) + 1;
      if (cut > 0) writeLines(this.#fd, cut === all.length ? all : all.subarray(0, cut));
      if (cut < all.length) this.#keep(all.subarray(cut));
    } finally {
      unlockOutput();
    }
  }

  /** Writes the unfinished line now, as it is. */
  flush(): void {
    if (this.#pending === 'none') return;
    lockOutput();
    try {
      const rest = this.#take();
      if (rest) writeAll(this.#fd, rest);
    } finally {
      unlockOutput();
    }
  }

  // Both with the lock held. A line on the board may have been written by the parent meanwhile.
  #take(): Buffer | null {
    const pending = this.#pending;
    this.#pending = 'none';
    if (pending === 'none') return null;
    return pending === 'slot' ? takeSlot(this.#fd) : pending;
  }

  #keep(rest: Uint8Array): void {
    // Copied: the caller may reuse a buffer it wrote once write() returned.
    this.#pending = putSlot(this.#fd, rest) ? 'slot' : Buffer.from(rest);
  }
}

type Chunk = { chunk: Buffer | string; encoding: BufferEncoding };

function toBuffer(chunk: Buffer | string, encoding: BufferEncoding): Buffer {
  return typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk;
}

/**
 * Runs one of this thread's writes. One that fails is dropped, as a child process's line is once
 * the program's stdout or stderr is closed (`node app.mjs | head -1`; `internal/output.ts`): a
 * thread's `process.stdout.write()` there failed with an unhandled EPIPE, which ended the thread
 * and failed its task or its `Process` (exit code 1).
 */
function dropFailed(write: () => void): void {
  try {
    write();
  } catch {
    // The descriptor's reader left (EPIPE), or it cannot take more: what the thread wrote is lost.
  }
}

function redirect(stream: NodeJS.WriteStream, out: DirectWriter): void {
  const target = stream as unknown as {
    _write(chunk: Buffer | string, encoding: BufferEncoding, cb: (err?: Error | null) => void): void;
    _writev(chunks: Chunk[], cb: (err?: Error | null) => void): void;
  };
  target._write = (chunk, encoding, cb) => {
    dropFailed(() => out.write(toBuffer(chunk, encoding)));
    cb();
  };
  target._writev = (chunks, cb) => {
    dropFailed(() =>
      out.write(Buffer.concat(chunks.map(({ chunk, encoding }) => toBuffer(chunk, encoding)))),
    );
    cb();
  };
}

let writers: readonly [DirectWriter, DirectWriter] | null = null;

/** Makes this worker thread's stdout and stderr write straight to descriptors 1 and 2, line by line. */
export function writeOutputDirectly(): void {
  if (writers) return;
  outputBoard();
  claimCell();
  writers = [new DirectWriter(1), new DirectWriter(2)];
  redirect(process.stdout, writers[0]);
  redirect(process.stderr, writers[1]);
  // A thread that ends by itself or by `process.exit()` emits 'exit'; a terminated one does not
  // (its parent writes its unfinished lines then, see `output-board.ts`).
  process.on('exit', () => {
    for (const w of writers!) dropFailed(() => w.flush());
  });
  (globalThis as Record<symbol, unknown>)[DIRECT_KEY] = true;
}

/**
 * The variable by which a thread pool tells its threads {@link writesOutputDirectly}'s verdict of
 * the moment it was made (`pool/worker-start.ts`): `'1'` write directly, else keep Node's route.
 */
export const POOL_DIRECT_ENV = 'MULTIPROC_POOL_DIRECT';

/**
 * Pool thread side: writes directly when its pool said so, and takes the word out of the env (a
 * program its tasks start must not read it). A pool made where the program replaced its
 * `process.stdout.write` or `stderr.write` says not: its threads' lines reach the replacement, as
 * a thread `Process`'s do.
 */
export function writeOutputDirectlyIfTold(): void {
  const told = process.env.MULTIPROC_POOL_DIRECT === '1';
  delete process.env.MULTIPROC_POOL_DIRECT;
  if (told) writeOutputDirectly();
}

/**
 * Whether this realm's `process.stdout` reaches descriptor 1 synchronously: the main thread, or a
 * worker thread of this library that writes directly. A thread started from here may then write
 * directly too; one started from a thread of someone else's (whose output its owner may capture
 * through `new Worker(..., { stdout: true })`), or from a realm whose `process.stdout.write` or
 * `process.stderr.write` was replaced, goes through this thread's streams instead.
 */
export function writesOutputDirectly(isMainThread: boolean): boolean {
  // Before the thread is made, which inherits the board then: a thread that writes directly
  // anyway (a daemon) is then one whose unfinished line this thread writes when it ends.
  outputBoard();
  // A program that replaced its `process.stdout.write` (a capture, a logger, a progress bar) sees a
  // thread's lines only through it: such a thread keeps Node's route.
  if (Object.hasOwn(process.stdout, 'write') || Object.hasOwn(process.stderr, 'write')) return false;
  if (isMainThread) writeMainThroughBoard();
  return isMainThread || (globalThis as Record<symbol, unknown>)[DIRECT_KEY] === true;
}

let mainOnBoard = false;

/**
 * Main thread side, once it starts threads that write directly: its own stdout and stderr (its
 * `console.log()`, and the lines it forwards from child processes and line-buffered threads) write
 * through the output board too, so that a long line of its own is not cut by a thread's, nor cuts
 * into one (a write longer than `PIPE_BUF` reaches a pipe in parts, between which another thread's
 * write lands). Unlike a worker thread's, nothing is held back: an unfinished line (a prompt, a
 * progress line) is written at once, as Node writes it; it is written synchronously, as Node
 * writes to files, terminals and (on Linux) pipes.
 */
function writeMainThroughBoard(): void {
  if (mainOnBoard) return;
  mainOnBoard = true;
  claimCell();
  redirectMain(process.stdout, 1);
  redirectMain(process.stderr, 2);
}

type StreamWrites = {
  _write(chunk: Buffer | string, encoding: BufferEncoding, cb: (err?: Error | null) => void): void;
  _writev?: ((chunks: Chunk[], cb: (err?: Error | null) => void) => void) | undefined;
};

/**
 * Sends the main thread's `stream` through {@link writeThrough}. The first write that fails there
 * (the reader left: `node app.mjs | head -1`) gives the stream back its own methods, which write
 * that chunk again and report the failure as Node always does (an `'error'` event, which Node's
 * console ignores on a stream's first failure only).
 */
function redirectMain(stream: NodeJS.WriteStream, fd: number): void {
  const target = stream as unknown as StreamWrites;
  const own = { write: target._write, writev: target._writev };
  const direct = (data: Buffer): boolean => {
    try {
      writeThrough(fd, data);
      return true;
    } catch {
      target._write = own.write;
      target._writev = own.writev;
      return false;
    }
  };
  target._write = (chunk, encoding, cb) => {
    if (direct(toBuffer(chunk, encoding))) cb();
    else own.write.call(stream, chunk, encoding, cb);
  };
  target._writev = (chunks, cb) => {
    const all = Buffer.concat(chunks.map(({ chunk, encoding }) => toBuffer(chunk, encoding)));
    if (direct(all)) cb();
    else if (own.writev) own.writev.call(stream, chunks, cb);
    else own.write.call(stream, all, 'buffer' as BufferEncoding, cb);
  };
}

/** Writes `data` at once: alone, or, when long or while a thread writes a long line, under the lock. */
function writeThrough(fd: number, data: Uint8Array): void {
  if (writeShort(fd, data)) return;
  lockOutput();
  try {
    writeAll(fd, data);
  } finally {
    unlockOutput();
  }
}
