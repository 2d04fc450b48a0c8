/**
 * A Connection: one end of a {@link Pipe}. Mirrors Python's `multiprocessing.connection.Connection`.
 * Host and worker side are the same class; which transport is under it (direct calls in the
 * thread that made the pipe, a MessagePort from another thread, a Unix socket from another
 * process) is decided when the connection is sent, see README.
 */
import {
  disposableInEveryRealm,
  type EncodeContext,
  type Encoded,
  encodeSymbol,
  type Keeper,
  keepSymbol,
  refuseStructuredClone,
  registerCodec,
  type Timeout,
} from '@multiproc/shared';
import { EOFError } from './errors.js';
import { rejectArguments, tooManyArguments } from './internal/arity.js';
import { CONNECTION_TYPE, type ConnectionData, remoteConnectionHandle } from './internal/connection-parts.js';
import { ConnectionState } from './internal/connection-state.js';
import { closeWhenCollected } from './internal/finalize.js';
import { readyHandle, type WaitHandle } from './internal/ready.js';
import type { Handle } from './internal/runtime/handle.js';
import { type Schema, schemaFromData } from './internal/schema.js';

/** @internal Builds a Connection (there is no public constructor). */
export let createConnection: <T, In = T>(
  h: Handle,
  readable: boolean,
  writable: boolean,
  schema?: Schema<T, In>,
) => Connection<T, In>;

/**
 * One end of a pipe: `send`/`recv` structured-cloneable values, `sendBytes`/`recvBytes` raw bytes.
 * Get one from {@link Pipe} (`new Connection()` throws TypeError, as `new MessagePort()` does);
 * pass it to a `Process` or pool task like any argument. Each copy is its own handle: `close()`
 * closes this copy only, and the other end sees EOF once every copy of this end is closed (or its
 * process died). Mirrors Python's `multiprocessing.connection.Connection`.
 * @typeParam T - what recv() resolves to: the pipe's `schema`'s output type (`z.output`).
 * @typeParam In - what send() takes: the schema's input type (`z.input`); `T` without a schema.
 * @example
 * const [a, b] = Pipe<string>();
 * a.send('hi');
 * console.log(await b.recv()); // 'hi'
 * a.close();
 * for await (const v of b) console.log(v); // ends: the other end closed
 */
export class Connection<T = unknown, In = T> implements AsyncIterable<T> {
  // The copy's handle, state and calls (internal/connection-state.ts).
  readonly #s: ConnectionState<T>;

  // `this`, not the class's name: a bundler renames a class that names itself in its own body
  // (esbuild emits `class _Connection`), and its `name`, which `util.inspect` shows, with it.
  static {
    createConnection = (h, readable, writable, schema) => new this(h, readable, writable, schema);
  }

  private constructor(h: Handle, readable: boolean, writable: boolean, schema: Schema<T> | undefined) {
    if (!h) throw new TypeError('Illegal constructor: get a Connection from Pipe(), accept() or Client()');
    this.#s = new ConnectionState(this, h, readable, writable, schema);
    refuseStructuredClone(this, 'a Connection');
    closeWhenCollected(this, h);
  }

  /** Whether `close()` was called on this copy. Python: `closed`. */
  get closed(): boolean {
    return this.#s.closed;
  }

  /** Whether this end can receive (false for the send end of a one-way pipe). Python: `readable`. */
  get readable(): boolean {
    return this.#s.readable;
  }

  /** Whether this end can send (false for the receive end of a one-way pipe). Python: `writable`. */
  get writable(): boolean {
    return this.#s.writable;
  }

  /**
   * Sends `value` (structured clone; multiproc objects inside travel by reference) to the other end.
   * Returns at once, unless this is the pipe's own thread and its reader elsewhere has not taken
   * 8 MiB it sent: then it waits, as Python's blocks on a full pipe, for at most 1 s without the
   * reader taking anything. Python: `send(obj)`.
   * @param value - what to send.
   * @throws {ValidationError} when called with no value or more than one (`send(undefined)` is fine).
   * @throws {SerializationError} when part of `value` cannot be sent, naming it (`value.onDone`).
   * @throws {ClosedError} after `close()`.
   * @throws {ProcessError} on the receive-only end of a one-way pipe.
   * @throws {BrokenPipeError} once the other end is known to be closed everywhere (its holders
   *   closed it or ended), or the process that owns this pipe has exited.
   * @example
   * const [a, b] = Pipe<{ n: number }>();
   * a.send({ n: 1 });
   * console.log(await b.recv()); // { n: 1 }
   */
  send(value: In): void {
    if (arguments.length !== 1) throw tooManyArguments('Connection.send', arguments.length);
    this.#s.send(value as unknown as T);
  }

  /**
   * Sends `size` bytes of `buf` from `offset` as one message. Python: `send_bytes(buf, offset, size)`.
   * Between processes, a message of 16 KiB or more is written from `buf` itself; while earlier
   * messages still wait for the reader, this first blocks until it drains them, as Python's does,
   * but for at most 20 ms without progress (then the message is queued). Like {@link send}, it
   * waits for a reader elsewhere that has not taken 8 MiB this thread sent.
   * @param buf - the bytes; written or copied before this returns, so `buf` may change after.
   * @param offset - `null` (Python's `None`) as when left out. @default 0
   * @param size - `null` (Python's `None`) as when left out. @default the rest of `buf`
   * @throws {ValidationError} when `buf` is not bytes, or `offset`/`size` fall outside it.
   * @throws {SerializationError} when `buf` was detached (moved away by a transfer or `move()`).
   * @throws {ClosedError} after `close()`; {@link ProcessError} on the receive-only end.
   * @throws {BrokenPipeError} once the other end is known to be closed everywhere, as {@link send}.
   * @example
   * const [a, b] = Pipe();
   * a.sendBytes(new Uint8Array([1, 2, 3, 4]), 1, 2);
   * console.log(await b.recvBytes()); // Uint8Array(2) [ 2, 3 ]
   */
  sendBytes(buf: ArrayBufferView | ArrayBuffer, offset?: number | null, size?: number | null): void {
    if (arguments.length > 3) throw tooManyArguments('Connection.sendBytes', arguments.length);
    this.#s.sendBytes(buf, offset ?? 0, size ?? undefined);
  }

  /**
   * Receives the next value, validated by the pipe's schema if it has one. Python: `recv()`. The
   * module of a task reference in it that this thread or process never imported is imported first,
   * as Python's unpickling does; values still come in the order sent.
   * @throws {EOFError} once the other end is closed everywhere (or its process died) and nothing is
   *   left, or when nothing left in the program could send (the other end is open only where
   *   nothing runs any more).
   * @throws {ValidationError} when the value does not match the schema; the next recv() gets the next value.
   * @throws {ClosedError} after `close()`.
   * @throws {ProcessError} on the send-only end of a one-way pipe, and when such a module cannot be
   *   imported (the value is consumed: the next recv() gets the next one).
   * @throws {ValidationError} (rejects) when given an argument: it takes no timeout (Python's
   *   neither); wait with `poll(ms)` first.
   * @example
   * const [a, b] = Pipe<string>();
   * a.send('hi');
   * a.close();
   * console.log(await b.recv()); // hi
   * await b.recv().catch((err) => console.log(err.name)); // EOFError
   */
  recv(): Promise<T> {
    if (arguments.length > 0) return rejectArguments('Connection.recv', arguments.length);
    return this.#s.recv();
  }

  /**
   * Receives the next message as bytes (what `sendBytes` sent). Python: `recv_bytes(maxlength)`.
   * A message `send()` sent comes as that value's bytes, marked so that `recv()` of them, once
   * `sendBytes()` forwarded them, gives the value again (Python's `recv()` unpickles them).
   * @param maxlength - the longest message accepted, in bytes; @default no limit. A longer message
   *   is dropped and, as in Python, this end stops receiving: a duplex end becomes send-only, a
   *   receive-only end is closed.
   * @throws {MessageTooLongError} when the message is longer than `maxlength`.
   * @throws {ValidationError} when `maxlength` is not a non-negative integer.
   * @throws {EOFError} once the other end is closed everywhere and nothing is left.
   * @throws {ClosedError} after `close()`; {@link ProcessError} on the send-only end.
   * @example
   * const [a, b] = Pipe();
   * a.sendBytes(new TextEncoder().encode('hello'));
   * console.log(new TextDecoder().decode(await b.recvBytes())); // hello
   */
  recvBytes(maxlength?: number | null): Promise<Uint8Array> {
    if (arguments.length > 1) return rejectArguments('Connection.recvBytes', arguments.length);
    return this.#s.recvBytes(maxlength);
  }

  /**
   * Receives the next message into `buf` at byte `offset` (default 0; `null` too); resolves to its
   * length. Python: `recv_bytes_into`.
   * @throws {BufferTooShortError} when it does not fit; the message is in the error's `data`.
   * @throws {ValidationError} when `buf` is not bytes (or was detached) or `offset` is not an
   *   integer inside it, checked before anything is received (the message stays for the next receive).
   * @throws {EOFError} as {@link recv}.
   * @example
   * const [a, b] = Pipe();
   * a.sendBytes(new Uint8Array([7, 8]));
   * const buf = new Uint8Array(4);
   * console.log(await b.recvBytesInto(buf, 1), buf); // 2 Uint8Array(4) [ 0, 7, 8, 0 ]
   */
  recvBytesInto(buf: ArrayBufferView | ArrayBuffer, offset?: number | null): Promise<number> {
    if (arguments.length > 2) return rejectArguments('Connection.recvBytesInto', arguments.length);
    return this.#s.recvBytesInto(buf, offset ?? 0);
  }

  /**
   * Whether a recv() would answer at once; with `timeout`, waits up to that many ms. Python: `poll(timeout)`.
   * @param timeout - ms to wait; @default 0 (answer at once; a negative timeout too, as in Python).
   *   `Infinity` or `null` (Python's `None`) waits until data or EOF. Without a wait, `true` comes
   *   at once and `false` after one turn of the event loop, which reads what arrived meanwhile:
   *   a busy loop `while (!(await conn.poll())) {}` sees the data, as Python's does. A copy of the
   *   end in another thread or process says `false` only once its home (the thread that made the
   *   pipe) answered (at most 1 s), so what was sent before the call, also before the copy's
   *   process started, makes it `true`, as Python's sees what the OS pipe holds. A message that
   *   arrives while it waits makes it `true` even when a `recv()` waiting on this copy takes it at
   *   once (as Python's `poll()` in one thread while another thread's `recv()` takes it).
   * @throws {EOFError} when waiting without a limit and nothing left in the program could send.
   * @throws {ClosedError} after `close()`, and at once when this copy is closed while it waits;
   *   {@link ProcessError} on the send-only end, also at once when `recvBytes(maxlength)` refuses
   *   a message while it waits (a message that arrived meanwhile makes it `true` instead).
   * @example
   * const [a, b] = Pipe();
   * console.log(await b.poll()); // false
   * a.send(1);
   * console.log(await b.poll(1_000)); // true
   */
  poll(timeout?: Timeout): Promise<boolean> {
    if (arguments.length > 1) return rejectArguments('Connection.poll', arguments.length);
    return this.#s.poll(timeout);
  }

  /**
   * Closes this copy (not the others). Python: `close()`.
   * @throws Nothing; closing again does nothing. Later use of this copy throws {@link ClosedError}.
   * @example
   * const [a, b] = Pipe();
   * a.close();
   * console.log(a.closed, await b.poll()); // true true: b sees the EOF
   */
  close(): void {
    if (arguments.length > 0) throw tooManyArguments('Connection.close', arguments.length);
    this.#s.close();
  }

  /**
   * Closes this copy when a `using` block ends, as Python's `with conn:` does.
   * @throws Nothing; see `close()`.
   * @example
   * const [a, b] = Pipe();
   * {
   *   using conn = a;
   *   conn.send(1);
   * } // a is closed here
   * console.log(a.closed, await b.recv()); // true 1
   */
  [Symbol.dispose](): void {
    this.close();
  }

  /**
   * Yields each received value until the other end closes (the loop ends instead of throwing
   * `EOFError`).
   * @throws {ValidationError} when a value does not match the schema; {@link ClosedError} after `close()`.
   * @example
   * const [a, b] = Pipe<number>();
   * a.send(1);
   * a.send(2);
   * a.close();
   * for await (const n of b) console.log(n); // 1, then 2
   */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      try {
        yield await this.recv();
      } catch (err) {
        if (err instanceof EOFError) return;
        throw err;
      }
    }
  }

  /** @internal What `wait()` watches; throws on the send-only end, as `poll()` does. */
  [readyHandle](): WaitHandle {
    return this.#s.waitHandle;
  }

  /** @internal The codec protocol: a copy for another thread or process. */
  [encodeSymbol](ctx: EncodeContext): Encoded {
    return this.#s.encode(ctx);
  }

  /** @internal The codec protocol: copies made later, after this copy may have closed (a pool's initargs). */
  [keepSymbol](ctx: EncodeContext): Keeper {
    return this.#s.keep(ctx);
  }
}

registerCodec(CONNECTION_TYPE, (data: ConnectionData) =>
  createConnection(remoteConnectionHandle(data), data.readable, data.writable, schemaFromData(data.schema)),
);

disposableInEveryRealm(Connection.prototype);
