/**
 * A link over a Unix-domain socket (a named pipe on Windows): process context. Frames are
 * length-prefixed on the stream and coalesced per turn, so many small messages share one write.
 * Writes go through a {@link SocketWriter} (socket-writer.ts), which knows at every moment which
 * bytes the kernel has not taken yet: that is what lets {@link flushSync} finish the job with
 * blocking-free synchronous writes when the process exits, where Node would drop them. How the
 * batch is built (runs of values, big payloads as their own chunks) is in socket-batch.ts.
 */
import type net from 'node:net';
import { isLocalOsError } from '../net/os-errors.js';
import type { Item } from '../protocol/item.js';
import type { FrameHandler } from '../protocol/ops.js';
import { FrameReader } from './frames.js';
import { Link } from './link.js';
import { handleSocketFrames } from './output-order.js';
import { DIRECT_MIN_BYTES, runReader, SocketBatch } from './socket-batch.js';
import { readAvailable, readSync0, sleepSync } from './socket-read.js';
import { SocketWriter, writeAllSync, writeSomeSync } from './socket-writer.js';

/** How long a client keeps retrying while the home's server is still starting to listen. */
const CONNECT_RETRY_MS = 10_000;
const RETRY_DELAY_MS = 10;
/**
 * Connecting copies read into this one buffer (`onread`), shared by every link of the thread: each
 * read is consumed (what is kept, copied) before the next read can fill it. It saves a buffer
 * allocation per read and reads up to this much per call, which is what bulk bytes need.
 */
const READ_BUFFER = new Uint8Array(256 * 1024);
/** Queued bytes past which a producer waits for `drained()`. */
const HIGH_WATER = 1 << 20;
// The server is not listening yet (a copy passed on before its home started serving), or its
// backlog is full for a moment; or this side is out of file descriptors, memory or ports for a while.
const RETRY_CODES = new Set([
  'ENOENT',
  'ECONNREFUSED',
  'EAGAIN',
  'EMFILE',
  'ENFILE',
  'ENOBUFS',
  'ENOMEM',
  'EADDRNOTAVAIL',
]);

interface PipeHandle {
  fd?: number;
  writeQueueSize?: number;
}

export class SocketLink extends Link {
  #socket: net.Socket | null = null;
  #dialing: net.Socket | null = null;
  #ref = false;
  #endWhenConnected = false;
  #retryTimer: NodeJS.Timeout | null = null;
  // Frames of an accepted socket are being handled (readNow() then reads nothing).
  #inFrames = false;
  readonly #syncChunk = (chunk: Uint8Array): void => this.#frames(chunk, true);
  readonly #reader = new FrameReader();
  readonly #batch = new SocketBatch();
  readonly #onFrame: FrameHandler = runReader((op, a, b, body) => this.onFrame(op, a, b, body));
  readonly #out = new SocketWriter();
  /** Connecting: stop retrying a refused connection when this says so (the home left a will). */
  giveUp: (() => boolean) | null = null;
  /** Home side: the copy dialled this thread's broker (so it looks for a will when the home ends). */
  dialled = false;
  /** Connecting: the system error of this side's own (EMFILE) that left it unconnected (os-errors.ts). */
  failure: Error | null = null;

  /** Wraps an accepted (home side) socket. */
  constructor(socket?: net.Socket) {
    super();
    if (socket) this.#adopt(socket);
  }

  /** Connects to the home listening at `path`; frames sent meanwhile wait for the connection. */
  static connect(path: string): SocketLink {
    const link = new SocketLink();
    link.#dial(path, Date.now() + CONNECT_RETRY_MS);
    return link;
  }

  #dial(path: string, deadline: number): void {
    // The rest of a big frame is read straight into its own memory (one copy, as Python's
    // recv_bytes makes); everything else into the shared READ_BUFFER, then split.
    let direct: Uint8Array | null = null;
    const s = process.getBuiltinModule('node:net').connect({
      path,
      onread: {
        buffer: () => {
          direct = this.#reader.directTarget(DIRECT_MIN_BYTES);
          return direct ?? READ_BUFFER;
        },
        callback: (n: number, buf: Uint8Array) => {
          handleSocketFrames(() => {
            this.onBatch();
            if (buf === direct) this.#reader.filled(n, this.#onFrame);
            else this.#reader.push(new Uint8Array(buf.buffer, buf.byteOffset, n), this.#onFrame, true);
          });
          return true; // keep reading
        },
      },
    });
    this.#dialing = s;
    if (!this.#ref) s.unref();
    this.#out.preattach(s);
    const onError = (err: NodeJS.ErrnoException) => {
      this.#out.detach();
      s.destroy();
      this.#dialing = null;
      const retry = RETRY_CODES.has(err.code ?? '') && Date.now() < deadline && !this.giveUp?.();
      if (!retry || this.closed) {
        if (isLocalOsError(err)) this.failure = err;
        this.#out.closed(); // a put waiting for the bytes to drain: they never will
        return this.markClosed();
      }
      this.#retryTimer = setTimeout(() => this.#dial(path, deadline), RETRY_DELAY_MS);
      // What was sent meanwhile (a put) keeps the program alive until it connected or gave up.
      if (!this.#ref && this.#out.idle) this.#retryTimer.unref();
    };
    s.once('error', onError);
    s.once('connect', () => {
      s.off('error', onError);
      this.#retryTimer = null;
      this.#dialing = null;
      this.#adopt(s);
      if (this.#endWhenConnected) this.#out.end();
    });
  }

  #adopt(s: net.Socket): void {
    this.#socket = s;
    // Plain Uint8Array views: Buffer#subarray is several times slower than the typed-array one.
    // (A connecting socket reads through `onread` instead and emits no 'data'.)
    s.on('data', (chunk: Buffer) =>
      this.#frames(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength), false),
    );
    s.on('error', () => {}); // 'close' follows and says the rest
    s.once('close', () => {
      this.#out.closed();
      this.markClosed();
    });
    if (this.#ref) s.ref();
    else s.unref();
    this.#out.attach(s);
  }

  /** @internal Bytes waiting for the kernel, not yet handed to the socket (for tests). */
  get pendingBytes(): number {
    return this.#out.queuedBytes;
  }

  needsDrain(): boolean {
    // Until connected, say yes: a producer then waits for the connection.
    return this.#socket ? this.#out.queuedBytes > HIGH_WATER : !this.closed;
  }

  drained(): Promise<void> {
    return this.#out.drained(this.closed);
  }

  protected append(op: number, a: number, b: number, payload?: Item): number {
    return this.#batch.append(op, a, b, payload);
  }

  /**
   * Sends a bytes item's frame (`kind` byte, then `bytes`) at once, from the sender's own memory:
   * what is batched goes first, then the kernel takes what it can now and the rest is copied (see
   * SocketWriter.write). False when this link cannot send (closed, ending or not connected yet).
   */
  override sendBytesNow(
    op: number,
    a: number,
    b: number,
    kind: number,
    bytes: Uint8Array,
    borrowed = true,
  ): boolean {
    if (!this.sending || !this.#socket) return false;
    this.#out.waitForRoom();
    this.startFlush(); // every batch pending first: nothing may come between this header and its body
    this.#batch.header(op, a, b, bytes.byteLength + 1, kind);
    const batch = this.takeBatch()!;
    batch.push(bytes);
    this.#out.write(batch, borrowed);
    return true;
  }

  protected takeBatch(): Uint8Array[] | null {
    return this.#batch.take();
  }

  protected write(chunks: Uint8Array[]): void {
    this.#out.write(chunks);
  }

  flushSync(deadline: number, until?: () => boolean): boolean {
    const s = this.#socket ?? this.#dialing;
    const handle = (s as unknown as { _handle?: PipeHandle } | null)?._handle;
    const fd = handle?.fd;
    if (this.closed || fd === undefined || fd < 0) return false;
    // What the kernel has not taken: the tail of the batch in flight, what waits, and the rest.
    const out = this.#out.pending(handle!);
    const batch = this.takeBatchNow() as Uint8Array[] | null;
    if (batch) out.push(...batch);
    for (const c of out) if (!writeAllSync(fd, c, deadline)) return false;
    if (!until) return true;
    const buf = new Uint8Array(64 * 1024);
    while (!until()) {
      const n = readSync0(fd, buf);
      if (n === 0) return false; // the other side is gone
      if (n > 0) {
        this.#reader.push(buf.subarray(0, n), this.#onFrame, true);
        // What the frames made this side send (a home serving a copy's demand) goes now too.
        const more = this.#out.pending(handle!);
        const batch = this.takeBatchNow() as Uint8Array[] | null;
        if (batch) more.push(...batch);
        for (const c of more) if (!writeAllSync(fd, c, deadline)) return false;
      } else if (Date.now() > deadline) return false;
      else sleepSync(1);
    }
    return true;
  }

  /**
   * Home side: handles the frames the kernel holds for this socket now, ahead of the event loop,
   * waiting up to `waitMs` for the first bytes; whether any came. Nothing when the stream holds
   * bytes it has not emitted yet (they come first) or frames are being handled (not reentrant).
   */
  readNow(waitMs: number): boolean {
    const s = this.#socket;
    const fd = (s as unknown as { _handle?: PipeHandle } | null)?._handle?.fd;
    if (this.#inFrames || !s || s.readableLength > 0 || fd === undefined || fd < 0) return false;
    if (this.closed || process.platform === 'win32') return false;
    return readAvailable(fd, waitMs, this.#syncChunk, () => this.closed);
  }

  // Handles a chunk read from the socket (`reused`: a buffer read into again, so kept frames are copied).
  #frames(chunk: Uint8Array, reused: boolean): void {
    this.#inFrames = true;
    try {
      handleSocketFrames(() => {
        this.onBatch();
        this.#reader.push(chunk, this.#onFrame, reused);
      });
    } finally {
      this.#inFrames = false;
    }
  }

  /**
   * Writes what is pending now and reads frames synchronously until `until()` holds; false when it
   * cannot (not connected yet, bytes already waiting for the kernel, no descriptor) or `deadline`
   * (a `Date.now()` value) passed first. Frames read meanwhile are handled as usual.
   */
  waitSync(until: () => boolean, deadline: number): boolean {
    const s = this.#socket ?? this.#dialing;
    const fd = (s as unknown as { _handle?: PipeHandle } | null)?._handle?.fd;
    if (!this.sending || fd === undefined || fd < 0 || process.platform === 'win32') return false;
    // Our question must be in the kernel, else no answer can come.
    if (!this.#writeNowSync(fd, deadline)) return false;
    // False: the home is gone ('close' follows) or time is up.
    while (!until()) if (!readAvailable(fd, deadline - Date.now(), this.#syncChunk, until)) return false;
    return true;
  }

  // Sends the pending batch now. Connected: through the writer, if nothing waits for the kernel.
  // Still dialing: a Unix socket is connected once `net.connect()` returned (libuv reports it on a
  // later turn), so what waits for the connection is written to the descriptor here; what the
  // kernel refuses (the connection failed, it is retried) waits again.
  #writeNowSync(fd: number, deadline: number): boolean {
    this.flush();
    if (this.#socket) return this.#out.idle;
    const chunks = this.#out.pending({});
    for (let i = 0; i < chunks.length; i++) {
      const c = chunks[i]!;
      const n = writeSomeSync(fd, c, deadline);
      if (n < c.byteLength) {
        this.#out.write([c.subarray(n), ...chunks.slice(i + 1)]);
        return false;
      }
    }
    return true;
  }

  protected setRef(ref: boolean): void {
    this.#ref = ref;
    const target = this.#socket ?? this.#dialing;
    if (target) ref ? target.ref() : target.unref();
    if (this.#retryTimer) ref ? this.#retryTimer.ref() : this.#retryTimer.unref();
  }

  protected endTransport(): void {
    if (this.#socket) this.#out.end();
    else this.#endWhenConnected = true;
  }
}
