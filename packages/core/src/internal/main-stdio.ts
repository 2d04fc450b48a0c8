/**
 * The main program's `process.stdout` and `process.stderr`, once it forwards workers' output:
 * writes kept whole when both are one pipe, and what is queued written out at exit.
 *
 * On a pipe or a socket Node's writes do not block: a write the pipe takes only in part (its
 * reader behind, or the write longer than the pipe holds) has its rest queued in libuv and
 * written when the pipe has room. Two things went wrong with that:
 *
 * - When stdout and stderr are one pipe or socket (`node app.mjs 2>&1 | tee log`, a harness that
 *   reads both from one socket), a write to the other stream went out at once and landed inside
 *   the first: a child's 100 KB line forwarded to stdout came out cut by the program's own
 *   `console.error()`, or by a line forwarded to stderr. So each stream's writes take turns with
 *   the other's: while a write of one is under way (queued in libuv), a write of the other waits,
 *   and goes out when the first is written whole. Each stream still writes its own chunks in
 *   order, and stays non-blocking: a reader that falls behind never stops the event loop (a write
 *   waits as it would in Node's queue; `write()` returns `false` and `'drain'` comes as always).
 *   Between the two streams the order is the order their writes reach the pipe, as in Node, not
 *   always the order the program made them in (Python's stdout and stderr are not in order under
 *   `2>&1` either). Files and terminals need none of this: Node writes to them synchronously.
 * - `process.exit()` (or the program's end) drops what is queued: Node writes nothing more then.
 *   Lines a worker wrote before the program ended were lost in the queue, and what the program
 *   read from a child's pipe at exit and wrote past the queue came out cut into a queued line.
 *   {@link writeQueuedNow} writes what is queued synchronously, in order, before those.
 */
import { fstatSync, writeSync } from 'node:fs';

type Callback = (err?: Error | null) => void;
type Chunk = { chunk: Buffer | string; encoding: BufferEncoding };
type StreamWrites = {
  _write(chunk: Buffer | string, encoding: BufferEncoding, cb: Callback): void;
  _writev?: ((chunks: Chunk[], cb: Callback) => void) | null;
  _handle?: { writeQueueSize?: number } | null;
  _writableState?: { buffered?: Chunk[]; bufferedIndex?: number };
};

/** One of the two streams: its descriptor, and its write under way (handed to Node, not ended). */
interface Std {
  readonly stream: NodeJS.WriteStream;
  readonly fd: number;
  underWay: Chunk[] | null;
}

let streams: readonly Std[] | null = null;
let onePipe = false;
/** The stream whose write is under way when both are one pipe, if any. */
let busy: Std | null = null;
/** The other stream's write, waiting for `busy`'s to end (each stream has one write at a time). */
let waiting: { std: Std; chunks: Chunk[]; run: () => void } | null = null;

/** How long a write at exit waits for a reader that takes nothing (ms); one that reads is waited for. */
export const EXIT_WRITE_STALL_MS = 1000;

/** Whether this program's stdout and stderr are one pipe or socket. */
function stdoutIsStderr(): boolean {
  try {
    // bigint: after a non-bigint stat of a pipe, fs.realpathSync stops resolving symlinks and the
    // program's later imports through one fail (Node 20 and 22, nodejs/node#51142).
    const [out, err] = [fstatSync(1, { bigint: true }), fstatSync(2, { bigint: true })];
    return out.dev === err.dev && out.ino === err.ino && (out.isFIFO() || out.isSocket());
  } catch {
    return false;
  }
}

/**
 * Main thread, once it forwards a worker's output: watches `process.stdout`'s and
 * `process.stderr`'s writes, and makes them take turns when both are one pipe or socket (see the
 * module's comment). Looked at once; later calls do nothing.
 */
export function watchMainOutput(): void {
  if (streams) return;
  onePipe = stdoutIsStderr();
  streams = [
    { stream: process.stdout, fd: 1, underWay: null },
    { stream: process.stderr, fd: 2, underWay: null },
  ];
  for (const std of streams) watch(std);
}

/** Wraps the stream's own `_write` and `_writev` (Writable calls them, one write at a time). */
function watch(std: Std): void {
  const { stream } = std;
  const target = stream as unknown as StreamWrites;
  const write = target._write;
  const writev = target._writev;
  target._write = (chunk, encoding, cb) => {
    turn(std, [{ chunk, encoding }], () => write.call(stream, chunk, encoding, ended(std, cb)));
  };
  if (typeof writev === 'function')
    target._writev = (chunks, cb) => {
      turn(std, chunks, () => writev.call(stream, chunks, ended(std, cb)));
    };
}

function turn(std: Std, chunks: Chunk[], write: () => void): void {
  const run = () => {
    std.underWay = chunks;
    if (onePipe) busy = std;
    write();
  };
  if (busy === null || busy === std || busy.stream.destroyed) run();
  else waiting = { std, chunks, run };
}

/**
 * The write's callback, which Node calls once it is written whole (at once when the pipe took it
 * all): the other stream's waiting write goes first, then this stream's next, so they alternate.
 */
function ended(std: Std, cb: Callback): Callback {
  return (err) => {
    std.underWay = null;
    if (busy === std) busy = null;
    const next = waiting;
    waiting = null;
    next?.run();
    cb(err);
  };
}

/**
 * At exit: writes, synchronously and in order, what `process.stdout` and `process.stderr` have
 * queued and not written (the rest of a write under way, the other stream's write waiting for its
 * turn, then the writes Node holds behind them), so that what is written after is neither cut into
 * it nor lost with it. Does nothing before {@link watchMainOutput}. The streams are left as they
 * are: the program ends.
 */
export function writeQueuedNow(): void {
  if (!streams) return;
  const order = busy ? [busy, ...streams.filter((s) => s !== busy)] : streams;
  const pieces: { fd: number; data: Buffer }[] = [];
  for (const std of order) {
    const left = (std.stream as unknown as StreamWrites)._handle?.writeQueueSize ?? 0;
    if (std.underWay && left > 0) {
      const rest = bytes(std.underWay);
      pieces.push({ fd: std.fd, data: rest.subarray(Math.max(0, rest.length - left)) });
    }
  }
  if (waiting) pieces.push({ fd: waiting.std.fd, data: bytes(waiting.chunks) });
  for (const std of order) {
    const state = (std.stream as unknown as StreamWrites)._writableState;
    const held = state?.buffered?.slice(state.bufferedIndex ?? 0) ?? [];
    if (held.length > 0) pieces.push({ fd: std.fd, data: bytes(held) });
  }
  busy = null;
  waiting = null;
  for (const std of order) std.underWay = null;
  for (const { fd, data } of pieces) writeNow(fd, data);
}

function bytes(chunks: readonly Chunk[]): Buffer {
  return Buffer.concat(
    chunks.map(({ chunk, encoding }) =>
      typeof chunk === 'string'
        ? Buffer.from(chunk, encoding === ('buffer' as BufferEncoding) ? 'utf8' : encoding)
        : chunk,
    ),
  );
}

/**
 * Writes all of `data` to `fd` synchronously, waiting out `EAGAIN` (a non-blocking pipe whose
 * reader is behind) while the reader takes something within {@link EXIT_WRITE_STALL_MS}. Once it
 * gave up on `fd` (the reader left, `EPIPE`, or took nothing for that long), it writes nothing
 * more there, and returns false.
 */
export function writeNow(fd: number, data: Uint8Array): boolean {
  if (given.has(fd)) return false;
  let offset = 0;
  let since = Date.now();
  while (offset < data.length) {
    try {
      const n = writeSync(fd, data, offset);
      offset += n;
      if (n > 0) since = Date.now();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN' || Date.now() - since > EXIT_WRITE_STALL_MS) {
        given.add(fd);
        return false;
      }
      Atomics.wait(pause, 0, 0, 1);
    }
  }
  return true;
}

const pause = new Int32Array(new SharedArrayBuffer(4));
/** Descriptors {@link writeNow} gave up on. */
const given = new Set<number>();
