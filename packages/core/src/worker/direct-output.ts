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
 * With `wholeLines` (a `Process` thread that is not a daemon) a write goes out up to its last
 * newline and the rest waits for the line's end, so lines from concurrent workers never interleave
 * inside a line, as when the main thread forwarded them line by line: lines go out in pieces of
 * at most {@link ATOMIC_WRITE_BYTES}, cut at line ends, which a pipe keeps whole. An unfinished
 * line is written, with a newline, when the thread exits (not when it is terminated). Without it
 * (daemons, pool workers) every write goes out at once, as written, since a daemon is not waited
 * for and what it holds would be lost when the program ends.
 */

// `EAGAIN`: the descriptor is a non-blocking pipe whose reader is behind; wait a little and retry.
const RETRY_WAIT_MS = 1;
/** POSIX's `PIPE_BUF` on Linux: a pipe never splits a write of up to this many bytes. */
const ATOMIC_WRITE_BYTES = 4096;
const NEWLINE = 0x0a;
const sleeper = new Int32Array(new SharedArrayBuffer(4));
/** Set in a realm whose stdout reaches descriptor 1 synchronously (see {@link writesOutputDirectly}). */
const DIRECT_KEY = Symbol.for('multiproc.directOutput');

function writeAll(fd: number, data: Uint8Array): void {
  // Read here, not imported: an ES import of `node:fs` loads Node's stream modules (issue #18).
  const { writeSync } = process.getBuiltinModule('node:fs');
  let offset = 0;
  while (offset < data.length) {
    try {
      offset += writeSync(fd, data, offset);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      Atomics.wait(sleeper, 0, 0, RETRY_WAIT_MS);
    }
  }
}

/** Writes whole lines in pieces a pipe keeps whole, each cut after a newline where one fits. */
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

/** One descriptor's writer: at once, or whole lines with the unfinished one kept back. */
class DirectWriter {
  readonly #fd: number;
  wholeLines = false;
  #pending: Buffer | null = null;

  constructor(fd: number) {
    this.#fd = fd;
  }

  write(data: Buffer): void {
    if (!this.wholeLines) {
      this.flush();
      writeAll(this.#fd, data);
      return;
    }
    const all = this.#pending ? Buffer.concat([this.#pending, data]) : data;
    const cut = all.lastIndexOf(NEWLINE) + 1;
    // Copied: the caller may reuse a buffer it wrote once write() returned.
    this.#pending = cut < all.length ? Buffer.from(all.subarray(cut)) : null;
    if (cut > 0) writeLines(this.#fd, all.subarray(0, cut));
  }

  /** Writes an unfinished line now, ended with a newline (as the line forwarders end one). */
  flush(): void {
    const rest = this.#pending;
    if (!rest) return;
    this.#pending = null;
    writeAll(this.#fd, Buffer.concat([rest, Buffer.from('\n')]));
  }
}

type Chunk = { chunk: Buffer | string; encoding: BufferEncoding };

function toBuffer(chunk: Buffer | string, encoding: BufferEncoding): Buffer {
  return typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk;
}

function redirect(stream: NodeJS.WriteStream, out: DirectWriter): void {
  const target = stream as unknown as {
    _write(chunk: Buffer | string, encoding: BufferEncoding, cb: (err?: Error | null) => void): void;
    _writev(chunks: Chunk[], cb: (err?: Error | null) => void): void;
  };
  target._write = (chunk, encoding, cb) => {
    try {
      out.write(toBuffer(chunk, encoding));
      cb();
    } catch (err) {
      cb(err as Error);
    }
  };
  target._writev = (chunks, cb) => {
    try {
      out.write(Buffer.concat(chunks.map(({ chunk, encoding }) => toBuffer(chunk, encoding))));
      cb();
    } catch (err) {
      cb(err as Error);
    }
  };
}

let writers: readonly [DirectWriter, DirectWriter] | null = null;

/**
 * Makes this worker thread's stdout and stderr write straight to descriptors 1 and 2. A later call
 * changes `wholeLines` only (a warm spare learns it runs a daemon with its start message).
 */
export function writeOutputDirectly(wholeLines = false): void {
  if (!writers) {
    writers = [new DirectWriter(1), new DirectWriter(2)];
    redirect(process.stdout, writers[0]);
    redirect(process.stderr, writers[1]);
    // A thread that ends by itself or by `process.exit()` emits 'exit'; a terminated one does not.
    process.on('exit', () => {
      for (const w of writers!) w.flush();
    });
    (globalThis as Record<symbol, unknown>)[DIRECT_KEY] = true;
  }
  for (const w of writers) {
    w.wholeLines = wholeLines;
    if (!wholeLines) w.flush();
  }
}

/**
 * Whether this realm's `process.stdout` reaches descriptor 1 synchronously: the main thread, or a
 * worker thread of this library that writes directly. A thread started from here may then write
 * directly too; one started from a thread of someone else's (whose output its owner may capture
 * through `new Worker(..., { stdout: true })`), or from a realm whose `process.stdout.write` or
 * `process.stderr.write` was replaced, goes through this thread's streams instead.
 */
export function writesOutputDirectly(isMainThread: boolean): boolean {
  // A program that replaced its `process.stdout.write` (a capture, a logger, a progress bar) sees a
  // thread's lines only through it: such a thread keeps Node's route.
  if (Object.hasOwn(process.stdout, 'write') || Object.hasOwn(process.stderr, 'write')) return false;
  return isMainThread || (globalThis as Record<symbol, unknown>)[DIRECT_KEY] === true;
}
