/**
 * The state behind one copy of a `Connection` (connection.ts holds the public class and its
 * documentation): its handle, which ways it works and whether it is closed, and how its calls
 * run: a send put on the handle, a received item turned into a value, bytes or an error, a poll,
 * and how the copy is encoded. How it travels, the errors of its checks and its end's message are
 * in connection-parts.ts.
 */

import {
  ClosedError,
  describeValue,
  type EncodeContext,
  type Encoded,
  type Keeper,
  resolveTimeout,
  type Timeout,
  ValidationError,
} from '@multiproc/shared';
import { BufferTooShortError, EOFError, MessageTooLongError } from '../errors.js';
import { closedHere } from './closed-here.js';
import {
  brokenPipe,
  encodeConnection,
  endMessage,
  notReadable,
  notWritable,
  refusableHandle,
} from './connection-parts.js';
import { forget } from './finalize.js';
import { unreachedHome } from './net/os-errors.js';
import { BROKEN, EOF, type Item, MOVE_MIN_BYTES } from './protocol/item.js';
import { ioTurn, type WaitHandle, whenReady } from './ready.js';
import { ReceiveOrder } from './receive-order.js';
import type { GetResult, Handle } from './runtime/handle.js';
import { keeperOf } from './runtime/keeper.js';
import { STUCK } from './runtime/waiter.js';
import { type Schema, validate } from './schema.js';
import {
  bytesToItem,
  fromItem,
  itemBytes,
  jsonExact,
  recvIntoTarget,
  sendBytesView,
  toItem,
} from './serialize.js';
import { RECV_HEADER, waitEnd } from './wait-stack.js';
import { waitsForever } from './waits-forever.js';

/** One Connection copy's state; `owner` is the public object. */
export class ConnectionState<T> {
  readonly #owner: object;
  readonly #h: Handle;
  #readable: boolean;
  /** Set once recvBytes(maxlength) refused a message: receiving stopped (a receive-only end: closed). */
  #refusedLength = false;
  readonly #writable: boolean;
  readonly #schema: Schema<T> | undefined;
  #closed = false;
  readonly #order = new ReceiveOrder();
  // Pending poll()s and wait()s, woken when recvBytes(maxlength) stops this end receiving (#refuseLength).
  readonly #refusedWatch = new Set<() => void>();
  readonly #refused = { ready: () => this.#refusedLength, onReady: (cb: () => void) => this.#onRefused(cb) };

  constructor(owner: object, h: Handle, readable: boolean, writable: boolean, schema: Schema<T> | undefined) {
    this.#owner = owner;
    this.#h = h;
    this.#readable = readable;
    this.#writable = writable;
    this.#schema = schema;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get readable(): boolean {
    return this.#readable;
  }

  get writable(): boolean {
    return this.#writable;
  }

  send(value: T): void {
    this.#checkWrite();
    const exact = jsonExact(value);
    if (exact && this.#h.sendNow(value)) return;
    this.#put(toItem(value, 'value', exact));
  }

  sendBytes(buf: ArrayBufferView | ArrayBuffer, offset: number, size: number | undefined): void {
    this.#checkWrite();
    const view = sendBytesView(buf, offset, size);
    const n = view.length;
    // Big bytes bound for a socket are written from `buf` itself, copied only if the kernel has
    // no room for them now.
    if (n >= MOVE_MIN_BYTES && this.#h.sendBytesNow(view)) return;
    this.#put(bytesToItem(view));
  }

  // Not an async function: `then` on the wait's promise is one object less per recv() than an
  // async function's frame, and a ping-pong calls this once per message. Every error still
  // rejects the returned promise, never throws.
  recv(): Promise<T> {
    let r: GetResult | Promise<GetResult>;
    try {
      this.#checkRead();
      r = this.#h.get(undefined);
      if (!(r instanceof Promise)) return Promise.resolve(this.#value(r));
    } catch (err) {
      return Promise.reject(err);
    }
    return r.then(this.#waited.read, this.#waited.failed);
  }

  // A recv() taken while an earlier one waits for a load settles after it (receive-order.ts).
  readonly #value = (r: GetResult): T | Promise<T> =>
    this.#order.busy ? this.#order.addFrom(() => this.#received(r)) : this.#received(r);

  // A recv() that waited: its error gains the frames of the code that awaited it (wait-stack.ts).
  readonly #waited = waitEnd(RECV_HEADER, this.#value);

  #received(r: GetResult): T | Promise<T> {
    // What the value needs is loaded first (a task reference's module: Python's unpickling imports
    // it); a load that fails rejects this recv() with its error, the message consumed.
    const value = fromItem(this.#item(r, 'recv'), true);
    if (value instanceof Promise) return this.#order.add(value.then(this.#checked));
    return this.#checked(value);
  }

  readonly #checked = (value: unknown): T | Promise<T> =>
    this.#schema ? validate(this.#schema, value, 'Received value') : (value as T);

  async recvBytes(maxlength: number | null | undefined): Promise<Uint8Array> {
    if (maxlength != null && (!Number.isInteger(maxlength) || maxlength < 0)) {
      throw new ValidationError(
        `recvBytes(maxlength): maxlength must be a non-negative integer number of bytes, got ${describeValue(maxlength)}. Omit it for no limit.`,
      );
    }
    this.#checkRead();
    const r = this.#h.get(undefined);
    const item = this.#item(r instanceof Promise ? await r : r, 'recvBytes');
    // Behind an earlier recv() that waits for a load (receive-order.ts).
    if (this.#order.busy) await this.#order.add(null);
    const bytes = itemBytes(item);
    if (maxlength != null && bytes.length > maxlength) {
      this.#refuseLength();
      throw new MessageTooLongError(
        `recvBytes(${maxlength}): the message is ${bytes.length} bytes long; it was dropped and this end no longer receives (as in Python). Pass a larger maxlength, or none.`,
        { length: bytes.length, maxLength: maxlength },
      );
    }
    return bytes;
  }

  async recvBytesInto(buf: ArrayBufferView | ArrayBuffer, offset: number): Promise<number> {
    // As Python, the arguments are checked before receiving, so a bad call loses no message.
    const target = recvIntoTarget(buf, offset);
    this.#checkRead();
    const r = this.#h.get(undefined);
    const item = this.#item(r instanceof Promise ? await r : r, 'recvBytesInto');
    if (this.#order.busy) await this.#order.add(null);
    const bytes = itemBytes(item);
    if (bytes.length > target.length - offset) {
      throw new BufferTooShortError(
        `recvBytesInto(): a ${bytes.length}-byte message does not fit ${target.length - offset} bytes; it is in err.data.`,
        bytes.slice(),
      );
    }
    target.set(bytes, offset);
    return bytes.length;
  }

  async poll(timeout: Timeout | undefined): Promise<boolean> {
    const ms = resolveTimeout(timeout, 'Connection.poll()', { defaultMs: 0, negativeIsZero: true }).timeoutMs;
    const h = this.handle;
    this.#checkRead();
    if (h.ready()) return true;
    if (ms === 0) {
      h.onReady(() => {})(); // starts reading ahead, so a later poll sees what arrives
      await ioTurn(); // what has arrived is read meanwhile (a busy poll() loop makes progress)
      // A copy: what its home held when poll() was called (sent before, in another process) too.
      if (!this.handle.ready()) await h.caughtUp?.();
      return this.handle.ready(); // closed meanwhile: ClosedError, as when called after close()
    }
    const r = await whenReady([h, this.#refused], ms);
    if (this.#closed) throw new ClosedError('This Connection was closed while poll() waited.');
    if (r === STUCK) throw waitsForever('Connection.poll()');
    // Something arrived, though a recv() waiting on this copy may have taken it (Python's poll()
    // in one thread says True while another thread's recv() takes the message).
    if (r.has(0)) return true;
    if (this.#refusedLength) throw notReadable(true); // stopped receiving meanwhile: as if called now
    return h.ready();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    forget(this.#owner);
    void this.#h.close();
  }

  /** The handle. @throws {ClosedError} after close(). */
  get handle(): Handle {
    if (this.#closed) throw closedHere('This Connection');
    return this.#h;
  }

  /**
   * What `wait()` watches: something to receive, or recvBytes(maxlength) refusing a message, after
   * which reading fails at once (Python's wait() reports the fd, its next recv raises).
   * @throws {ClosedError} after close(); {@link ProcessError} on an end that does not receive.
   */
  get waitHandle(): WaitHandle {
    this.#checkRead();
    return refusableHandle(this.#h, this.#refused, () => this.#checkRead());
  }

  /** A copy for another thread or process. */
  encode(ctx: EncodeContext): Encoded {
    if (this.#closed) throw closedHere(`Cannot send ${ctx.path}: the Connection`);
    return this.#encoded(this.#h, ctx);
  }

  /** Copies made later, after this copy may have closed (a pool's initargs). */
  keep(ctx: EncodeContext): Keeper {
    if (this.#closed) throw closedHere(`Cannot send ${ctx.path}: the Connection`);
    return keeperOf(this.#h.keep(), (h, c) => this.#encoded(h, c));
  }

  #encoded(h: Pick<Handle, 'encode'>, ctx: EncodeContext): Encoded {
    return encodeConnection(
      h,
      this.#readable,
      this.#writable,
      this.#schema as Schema<unknown> | undefined,
      ctx,
    );
  }

  #put(item: Item): void {
    const r = this.#h.put(item, undefined);
    if (r === BROKEN || r === EOF) throw unreachedHome(this.#h, 'pipe') ?? brokenPipe(r);
  }

  /** `r` as an item, or the error that ends the receive `method` (named in the message). */
  #item(r: GetResult, method: 'recv' | 'recvBytes' | 'recvBytesInto'): Item {
    if (typeof r !== 'symbol') return r;
    if (this.#closed) throw new ClosedError('This Connection was closed while receiving.');
    if (r === STUCK) throw waitsForever(`Connection.${method}()`);
    const unreached = unreachedHome(this.#h, 'pipe');
    if (unreached) throw unreached;
    throw new EOFError(endMessage(this.#h.homeLost?.() ?? false, this.#h.writerStopped?.() ?? false));
  }

  // Python's _bad_message_length(): a duplex end becomes write-only, a receive-only end is closed.
  #refuseLength(): void {
    this.#readable = false;
    this.#refusedLength = true;
    for (const cb of [...this.#refusedWatch]) cb();
    if (!this.#writable) this.close();
  }

  #onRefused(cb: () => void): () => void {
    this.#refusedWatch.add(cb);
    return () => this.#refusedWatch.delete(cb);
  }

  #checkRead(): void {
    if (this.#closed) throw closedHere('This Connection');
    if (this.#refusedLength || !this.#readable) throw notReadable(this.#refusedLength);
  }

  #checkWrite(): void {
    if (this.#closed) throw closedHere('This Connection');
    if (!this.#writable) throw notWritable();
  }
}
