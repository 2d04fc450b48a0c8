/**
 * A link over a Unix-domain socket (a named pipe on Windows): process context. Frames are
 * length-prefixed on the stream and coalesced per tick, so many small messages share one write.
 */
import net from 'node:net';
import type { Item } from './channel.js';
import { type FrameHandler, FrameReader, FrameWriter, HEADER_BYTES } from './frames.js';
import { Link } from './link.js';

/** How long a client keeps retrying while the home's server is still starting to listen. */
const CONNECT_RETRY_MS = 10_000;
const RETRY_DELAY_MS = 10;
const EMPTY = new Uint8Array(0);
/**
 * Connecting copies read into this one buffer (`onread`), shared by every link of the thread: each
 * read is consumed (what is kept, copied) before the next read can fill it. It saves a buffer
 * allocation per read and reads up to this much per call, which is what bulk bytes need.
 */
const READ_BUFFER = new Uint8Array(256 * 1024);
/** A payload this big is written as its own chunk after its header rather than copied into the batch. */
const DIRECT_MIN_BYTES = 16 * 1024;
// The server is not listening yet (a copy passed on before its home started serving), or its
// backlog is full for a moment.
const RETRY_CODES = new Set(['ENOENT', 'ECONNREFUSED', 'EAGAIN']);

export class SocketLink extends Link {
  #socket: net.Socket | null = null;
  #pending: Uint8Array[] | null = null;
  #ref = false;
  #endWhenConnected = false;
  #retryTimer: NodeJS.Timeout | null = null;
  #dialing: net.Socket | null = null;
  #onConnect: (() => void)[] = [];
  readonly #reader = new FrameReader();
  readonly #writer = new FrameWriter();
  // Chunks of the current batch before what the writer holds: headers and big payloads.
  #chunks: Uint8Array[] = [];
  #chunkBytes = 0;

  /** Wraps an accepted (home side) socket. */
  constructor(socket?: net.Socket) {
    super();
    if (socket) this.#adopt(socket);
  }

  /** Connects to the home listening at `path`; frames sent meanwhile wait for the connection. */
  static connect(path: string): SocketLink {
    const link = new SocketLink();
    link.#pending = [];
    link.#dial(path, Date.now() + CONNECT_RETRY_MS);
    return link;
  }

  #dial(path: string, deadline: number): void {
    const onFrame: FrameHandler = (op, a, b, body) => this.onFrame(op, a, b, body);
    const s = net.connect({
      path,
      onread: {
        buffer: READ_BUFFER,
        callback: (n: number, buf: Uint8Array) => {
          this.#reader.push(new Uint8Array(buf.buffer, buf.byteOffset, n), onFrame, true);
          return true; // keep reading
        },
      },
    });
    this.#dialing = s;
    if (!this.#ref) s.unref();
    const onError = (err: NodeJS.ErrnoException) => {
      s.destroy();
      const retry = RETRY_CODES.has(err.code ?? '') && Date.now() < deadline;
      if (!retry || this.closed) {
        for (const cb of this.#onConnect.splice(0)) cb();
        return this.markClosed();
      }
      this.#retryTimer = setTimeout(() => this.#dial(path, deadline), RETRY_DELAY_MS);
      if (!this.#ref) this.#retryTimer.unref();
    };
    s.once('error', onError);
    s.once('connect', () => {
      s.off('error', onError);
      this.#retryTimer = null;
      this.#dialing = null;
      this.#adopt(s);
      const pending = this.#pending ?? [];
      this.#pending = null;
      for (const chunk of pending) s.write(chunk);
      if (this.#endWhenConnected) s.end();
      for (const cb of this.#onConnect.splice(0)) void this.drained().then(cb);
    });
  }

  #adopt(s: net.Socket): void {
    this.#socket = s;
    const onFrame: FrameHandler = (op, a, b, body) => this.onFrame(op, a, b, body);
    // Plain Uint8Array views: Buffer#subarray is several times slower than the typed-array one.
    // (A connecting socket reads through `onread` instead and emits no 'data'.)
    s.on('data', (chunk: Buffer) =>
      this.#reader.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength), onFrame),
    );
    s.on('error', () => {}); // 'close' follows and says the rest
    s.once('close', () => this.markClosed());
    if (this.#ref) s.ref();
    else s.unref();
  }

  needsDrain(): boolean {
    // Until connected, say yes: a producer then waits for the connection, so a child that
    // exits right after its last put has still handed it to the kernel.
    return this.#socket ? this.#socket.writableNeedDrain : !this.closed;
  }

  drained(): Promise<void> {
    const s = this.#socket;
    if (this.closed) return Promise.resolve();
    if (!s) return new Promise((resolve) => this.#onConnect.push(resolve));
    if (s.writableLength === 0) return Promise.resolve();
    // An empty write's callback runs once everything written before it reached the kernel.
    return new Promise((resolve) => {
      s.once('close', () => resolve());
      s.write(EMPTY, () => resolve());
    });
  }

  protected append(op: number, a: number, b: number, payload?: Item): number {
    if (payload instanceof Uint8Array && payload.byteLength >= DIRECT_MIN_BYTES) {
      // Items are never changed once made, so the socket can write this one as it is.
      this.#writer.header(op, a, b, payload.byteLength);
      this.#chunks.push(this.#writer.take()!, payload);
      this.#chunkBytes += HEADER_BYTES + payload.byteLength;
    } else this.#writer.frame(op, a, b, payload);
    return this.#chunkBytes + this.#writer.size;
  }

  protected takeBatch(): Uint8Array[] | null {
    const last = this.#writer.take();
    if (this.#chunks.length === 0) return last ? [last] : null;
    const chunks = this.#chunks;
    if (last) chunks.push(last);
    this.#chunks = [];
    this.#chunkBytes = 0;
    return chunks;
  }

  protected write(chunks: Uint8Array[]): void {
    const s = this.#socket;
    if (!s) {
      this.#pending?.push(...chunks);
      return;
    }
    if (chunks.length === 1) {
      s.write(chunks[0]!);
      return;
    }
    s.cork(); // one writev
    for (const c of chunks) s.write(c);
    s.uncork();
  }

  protected setRef(ref: boolean): void {
    this.#ref = ref;
    const target = this.#socket ?? this.#dialing;
    if (target) ref ? target.ref() : target.unref();
    if (this.#retryTimer) ref ? this.#retryTimer.ref() : this.#retryTimer.unref();
  }

  protected finishTransport(): void {
    // A half-close: the home reads everything, sees the end, and closes its side too.
    this.endTransport();
  }

  protected endTransport(): void {
    if (this.#socket) this.#socket.end();
    else this.#endWhenConnected = true;
  }
}
