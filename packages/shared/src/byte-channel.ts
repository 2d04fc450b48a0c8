/**
 * `ByteChannel`: a ring buffer of variable-length byte messages on one SharedArrayBuffer. The
 * memory layout and the frame copy are in internal/ring.ts, the waits for a message or for room in
 * internal/ring-wait.ts, the options in byte-channel-options.ts; this module adds timeouts,
 * closing, the MPMC side locks and the codec.
 */

import type { ByteChannelOptions, ChannelReadOptions, ChannelWaitOptions } from './byte-channel-options.js';
import { refuseStructuredClone } from './clone-guard.js';
import { type EncodeContext, type Encoded, encodeSymbol, registerCodec } from './codec.js';
import { disposableInEveryRealm } from './dispose-keys.js';
import { ClosedError, TimeoutError, ValidationError } from './errors.js';
import { NONE, tooManyArguments } from './internal/arity.js';
import { assertMayBlock, newSharedBuffer } from './internal/browser-limits.js';
import {
  type CheckedChannelOptions,
  channelOptions,
  constructorOptions,
  intoBytes,
  notBytes,
  READ_KEYS,
  READ_TAKES,
  tooLarge,
  WRITE_TAKES,
} from './internal/channel-options.js';
import { type Inspect, inspectSymbol, showFields } from './internal/inspect.js';
import {
  abandonWord,
  lockAsync,
  lockSync,
  MUTEX_BYTES,
  TIMED_OUT,
  tryLock,
  unlock,
} from './internal/mutex.js';
import { type Abandonable, kAbandon } from './internal/protocol.js';
import {
  CLOSED_BIT,
  COUNT,
  FRAME_HEADER,
  frameBytes,
  HEADER_BYTES,
  MULTI,
  peekLength,
  READ_MUTEX,
  type Ring,
  readFrame,
  ringOf,
  USED,
  USED_MASK,
  WRITE_MUTEX,
  writeFrame,
} from './internal/ring.js';
import {
  type MessageWait,
  type RoomWait,
  waitMessage,
  waitMessageSync,
  waitRoom,
  waitRoomSync,
} from './internal/ring-wait.js';
import { assertThreadTarget } from './internal/shared-codec.js';
import { now } from './internal/wait.js';
import { readOptions } from './options.js';
import { getOwnerId, trackAbandonable } from './owner.js';

// This thread's owner id, set by the first constructor: `getOwnerId()` loads node:worker_threads,
// which an import of this package must not pay for (issue #18).
let ME = 0;

export type { ByteChannelOptions, ChannelReadOptions, ChannelWaitOptions } from './byte-channel-options.js';

let adopting: SharedArrayBuffer | undefined;

/**
 * A bounded FIFO of byte messages in shared memory, for threads of one process. Beyond Python: the
 * building block of multiproc's fast thread-context queues. Writes block (or wait) while the
 * ring is full; reads while it is empty. Timeouts: a call that answers with a boolean (`write`,
 * `writeSync`, `tryWrite`) returns `false`; a call that answers with data (`read`, `readSync`)
 * throws `TimeoutError`, because `null` already means "closed and drained".
 * @example
 * const ch = new ByteChannel({ capacity: 1024 });
 * await ch.write(new TextEncoder().encode('hi'));
 * console.log(new TextDecoder().decode((await ch.read())!)); // hi
 */
export class ByteChannel implements Abandonable {
  readonly #h: Int32Array;
  readonly #ring: Ring;
  readonly #dataBytes: number;
  readonly #rmutex: Int32Array;
  readonly #wmutex: Int32Array;
  readonly #multi: boolean;

  /**
   * @param options `capacity` (bytes) and `multi`; `null` is read as no options.
   * @throws {ValidationError} for a capacity that is not an integer in 1..2**29, a `multi` that is
   *   not a boolean, options that are not an object, or an unknown option.
   */
  constructor(options: ByteChannelOptions | null = {}) {
    if (arguments.length > 1)
      throw tooManyArguments('new ByteChannel()', arguments.length, 'an optional { capacity, multi }');
    ME ||= getOwnerId();
    let sab = adopting;
    if (sab === undefined) {
      const { capacity, multi } = constructorOptions(options);
      sab = newSharedBuffer(HEADER_BYTES + frameBytes(capacity));
      new Int32Array(sab)[MULTI] = multi ? 1 : 0;
    }
    this.#ring = ringOf(sab);
    this.#h = this.#ring.h;
    this.#dataBytes = this.#ring.size;
    this.#rmutex = new Int32Array(sab, READ_MUTEX, MUTEX_BYTES / 4);
    this.#wmutex = new Int32Array(sab, WRITE_MUTEX, MUTEX_BYTES / 4);
    this.#multi = this.#h[MULTI] === 1;
    if (this.#multi) trackAbandonable(this);
    refuseStructuredClone(this, 'a ByteChannel');
  }

  /** The largest message this channel accepts, in bytes. */
  get capacity(): number {
    return this.#dataBytes - FRAME_HEADER;
  }
  /** Bytes in use, counting each message's 8-byte header and padding. */
  get size(): number {
    return Atomics.load(this.#h, USED) & USED_MASK;
  }
  /** Messages queued. */
  get count(): number {
    return Atomics.load(this.#h, COUNT);
  }
  /** Whether `close()` was called (there may still be messages to read). */
  get closed(): boolean {
    return (Atomics.load(this.#h, USED) & CLOSED_BIT) !== 0;
  }
  /** Whether this channel allows many writers and readers at once. */
  get multi(): boolean {
    return this.#multi;
  }

  /**
   * Its state, in the style of the primitives' reprs: `<ByteChannel(capacity=1024, count=2)>`
   * (messages queued), with `, multi` and `, closed` when they hold.
   * @throws Nothing.
   * @example
   * import { ByteChannel } from '@multiproc/shared';
   * console.log(String(new ByteChannel({ capacity: 1024 }))); // <ByteChannel(capacity=1024, count=0)>
   */
  toString(): string {
    const flags = (this.#multi ? ', multi' : '') + (this.closed ? ', closed' : '');
    return `<ByteChannel(capacity=${this.capacity}, count=${this.count}${flags})>`;
  }

  /**
   * What `console.log(channel)` shows: `ByteChannel { capacity: 1024, count: 0, size: 0, multi: false, closed: false }`.
   * @throws Nothing.
   */
  [inspectSymbol](_depth: number, options: unknown, inspect?: Inspect): string {
    const { capacity, count, size, multi, closed } = this;
    return showFields('ByteChannel', { capacity, count, size, multi, closed }, options, inspect);
  }

  /**
   * Closes the channel for writing; readers drain what is queued, then read `null`. Idempotent.
   * @example
   * import { ByteChannel } from '@multiproc/shared';
   * const ch = new ByteChannel({ capacity: 1024 });
   * await ch.write(Uint8Array.of(1));
   * ch.close();
   * console.log(await ch.read(), await ch.read()); // Uint8Array(1) [ 1 ] null
   */
  close(): void {
    if (arguments.length > 0) throw tooManyArguments('ByteChannel.close()', arguments.length, NONE);
    Atomics.or(this.#h, USED, CLOSED_BIT);
    Atomics.notify(this.#h, USED);
  }

  /** `using ch = new ByteChannel(…)` closes it (for writing) at the end of the block. */
  [Symbol.dispose](): void {
    this.close();
  }

  #check(bytes: Uint8Array, argc: number, max: number, method: string): number {
    if (argc > max) throw tooManyArguments(method, argc, max === 1 ? 'a message' : WRITE_TAKES);
    if (!(bytes instanceof Uint8Array)) throw notBytes(bytes, method);
    if (bytes.byteLength > this.capacity) throw tooLarge(bytes.byteLength, this.capacity);
    if (this.closed) throw new ClosedError('Cannot write to a closed ByteChannel.');
    return frameBytes(bytes.byteLength);
  }

  /**
   * Writes one message now if there is room.
   * @returns `false` when the ring is full.
   * @throws {ValidationError} for a message larger than `capacity`.
   * @throws {ClosedError} after `close()`.
   */
  tryWrite(bytes: Uint8Array): boolean {
    const need = this.#check(bytes, arguments.length, 1, 'ByteChannel.tryWrite()');
    if (this.#multi && !tryTake(this.#wmutex)) return false;
    try {
      if (this.#dataBytes - (Atomics.load(this.#h, USED) & USED_MASK) < need) return false;
      this.#put(bytes, need);
      return true;
    } finally {
      if (this.#multi) unlock(this.#wmutex, ME);
    }
  }

  /**
   * Writes one message, blocking this thread while the ring is full.
   * @param options a timeout in ms, or `{ timeout, keepAlive }`.
   * @returns `true` once written, `false` on timeout.
   * @throws {ValidationError} for a message larger than `capacity`.
   * @throws {ClosedError} after `close()` (also when it closes while waiting).
   * @throws {LockError} at once, without a timeout, when the ring is full and no other thread has it.
   * @throws {ContextError} on a browser page's main thread when it would have to block (the browser
   *   refuses it there): use the async form on the page.
   */
  writeSync(bytes: Uint8Array, options?: number | ChannelWaitOptions): boolean {
    const o = channelOptions(options, 'ByteChannel.writeSync()');
    const need = this.#check(bytes, arguments.length, 2, 'ByteChannel.writeSync()');
    const h = this.#h;
    const used = Atomics.load(h, USED);
    if (!this.#multi && this.#dataBytes - used >= need) return this.#putTrue(bytes, need);
    // Full (and open): refused where this thread may not block, before it takes the write side.
    if (o.timeoutMs > 0 && this.#dataBytes - used < need && !(used & CLOSED_BIT)) assertMayBlock();
    const deadline = now() + o.timeoutMs;
    if (this.#multi && lockSync(this.#wmutex, ME, deadline) === TIMED_OUT) return false;
    try {
      return this.#putAfter(waitRoomSync(this.#ring, need, deadline), bytes, need);
    } finally {
      if (this.#multi) unlock(this.#wmutex, ME);
    }
  }

  /**
   * Writes one message, waiting without blocking the event loop while the ring is full.
   * @param options a timeout in ms, or `{ timeout, keepAlive }`.
   * @returns `true` once written, `false` on timeout.
   * @throws {ValidationError} for a message larger than `capacity`.
   * @throws {ClosedError} after `close()` (also when it closes while waiting).
   * @example
   * import { ByteChannel } from '@multiproc/shared';
   * const ch = new ByteChannel({ capacity: 1024 });
   * console.log(await ch.write(Uint8Array.of(1, 2, 3), { timeout: 1000 })); // true
   */
  async write(bytes: Uint8Array, options?: number | ChannelWaitOptions): Promise<boolean> {
    const o = channelOptions(options, 'ByteChannel.write()');
    const need = this.#check(bytes, arguments.length, 2, 'ByteChannel.write()');
    const h = this.#h;
    if (!this.#multi && this.#dataBytes - Atomics.load(h, USED) >= need) return this.#putTrue(bytes, need);
    const deadline = now() + o.timeoutMs;
    if (this.#multi && (await lockAsync(this.#wmutex, ME, deadline, o.keepAlive)) === TIMED_OUT) return false;
    try {
      return this.#putAfter(await waitRoom(this.#ring, need, deadline, o.keepAlive), bytes, need);
    } finally {
      if (this.#multi) unlock(this.#wmutex, ME);
    }
  }

  #putTrue(bytes: Uint8Array, need: number): true {
    this.#put(bytes, need);
    return true;
  }

  #putAfter(wait: RoomWait, bytes: Uint8Array, need: number): boolean {
    if (wait === 'closed') throw new ClosedError('The ByteChannel was closed while writing.');
    return wait === 'room' && this.#putTrue(bytes, need);
  }

  #put(bytes: Uint8Array, need: number): void {
    writeFrame(this.#ring, bytes, need);
  }

  #take(into?: Uint8Array): Uint8Array {
    if (into === undefined) return readFrame(this.#ring);
    const len = peekLength(this.#ring);
    if (len > into.byteLength) {
      throw new ValidationError(
        `The next message has ${len} bytes but the 'into' buffer holds ${into.byteLength}; it stays queued.`,
      );
    }
    readFrame(this.#ring, into);
    return into.subarray(0, len);
  }

  #takeAfter(wait: MessageWait, o: CheckedChannelOptions): Uint8Array | null {
    if (wait === 'message') return this.#take(o.into);
    if (wait === 'closed') return null; // closed and drained
    throw readTimeout(o);
  }

  /**
   * Reads one message if one is queued.
   * @param options `into`: a buffer to copy the message into (see {@link ChannelReadOptions.into}).
   * @returns the message, or `undefined` when none is queued (check `closed` to tell why).
   * @throws {ValidationError} when the message does not fit `into`, `into` is not a buffer, or for an unknown option.
   */
  tryRead(options?: ChannelReadOptions): Uint8Array | undefined {
    const m = 'ByteChannel.tryRead()';
    if (arguments.length > 1) throw tooManyArguments(m, arguments.length, 'an optional { into }');
    const into = intoBytes(readOptions(options, READ_KEYS, m).into, m);
    if (this.#multi && !tryTake(this.#rmutex)) return undefined;
    try {
      return (Atomics.load(this.#h, USED) & USED_MASK) === 0 ? undefined : this.#take(into);
    } finally {
      if (this.#multi) unlock(this.#rmutex, ME);
    }
  }

  /**
   * Reads one message, blocking this thread while the ring is empty.
   * @param options a timeout in ms, or `{ timeout, keepAlive, into }` (`into`: a buffer to copy the message into).
   * @throws {ValidationError} when the message does not fit `into`, or at once when `into` is not a buffer.
   * @returns the message, or `null` once the channel is closed and drained.
   * @throws {TimeoutError} when nothing arrived in time; {LockError} at once, without a timeout, when
   *   no other thread has the channel. {ContextError} on a browser page's main thread when it would
   *   have to block (the browser refuses it there): use the async form on the page.
   */
  readSync(options?: number | ChannelReadOptions): Uint8Array | null {
    if (arguments.length > 1) throw tooManyArguments('ByteChannel.readSync()', arguments.length, READ_TAKES);
    const o = channelOptions(options, 'ByteChannel.readSync()', true);
    const h = this.#h;
    if (!this.#multi && (Atomics.load(h, USED) & USED_MASK) !== 0) return this.#take(o.into);
    // Empty and open: refused where this thread may not block, before it takes the read side.
    if (o.timeoutMs > 0 && Atomics.load(h, USED) === 0) assertMayBlock();
    const deadline = now() + o.timeoutMs;
    if (this.#multi && lockSync(this.#rmutex, ME, deadline) === TIMED_OUT) throw readTimeout(o);
    try {
      return this.#takeAfter(waitMessageSync(h, deadline), o);
    } finally {
      if (this.#multi) unlock(this.#rmutex, ME);
    }
  }

  /**
   * Reads one message, waiting without blocking the event loop while the ring is empty.
   * @param options a timeout in ms, or `{ timeout, keepAlive, into }` (`into`: a buffer to copy the message into).
   * @throws {ValidationError} when the message does not fit `into`, or at once when `into` is not a buffer.
   * @returns the message, or `null` once the channel is closed and drained.
   * @throws {TimeoutError} when nothing arrived in time.
   * @example
   * import { ByteChannel } from '@multiproc/shared';
   * const ch = new ByteChannel({ capacity: 1024 });
   * await ch.write(Uint8Array.of(1, 2));
   * ch.close();
   * for (let m = await ch.read(); m !== null; m = await ch.read()) console.log(m.byteLength); // 2
   */
  async read(options?: number | ChannelReadOptions): Promise<Uint8Array | null> {
    if (arguments.length > 1) throw tooManyArguments('ByteChannel.read()', arguments.length, READ_TAKES);
    const o = channelOptions(options, 'ByteChannel.read()', true);
    const h = this.#h;
    if (!this.#multi && (Atomics.load(h, USED) & USED_MASK) !== 0) return this.#take(o.into);
    const deadline = now() + o.timeoutMs;
    if (this.#multi && (await lockAsync(this.#rmutex, ME, deadline, o.keepAlive)) === TIMED_OUT)
      throw readTimeout(o);
    try {
      return this.#takeAfter(await waitMessage(h, deadline, o.keepAlive), o);
    } finally {
      if (this.#multi) unlock(this.#rmutex, ME);
    }
  }

  /** Reads messages until the channel is closed and drained. */
  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined> {
    for (let m = await this.read(); m !== null; m = await this.read()) yield m;
  }

  /**
   * Called by `abandonOwner()`: a side mutex is held only inside one read or write and nobody else
   * can release it, so it is given back however the thread ended.
   */
  [kAbandon](ownerId: number): number {
    return abandonWord(this.#rmutex, ownerId) + abandonWord(this.#wmutex, ownerId);
  }

  /** Sends the channel to a worker thread; both sides then use the same ring. */
  [encodeSymbol](ctx: EncodeContext): Encoded {
    assertThreadTarget(ctx, 'ByteChannel');
    return { type: 'multiproc.ByteChannel', data: this.#h.buffer };
  }
}

function tryTake(mutex: Int32Array): boolean {
  return tryLock(mutex, ME) !== TIMED_OUT;
}

function readTimeout(o: CheckedChannelOptions): TimeoutError {
  return new TimeoutError(`No message arrived on the ByteChannel within ${o.timeoutMs} ms.`);
}

registerCodec('multiproc.ByteChannel', (sab: SharedArrayBuffer) => {
  adopting = sab;
  try {
    return new ByteChannel();
  } finally {
    adopting = undefined;
  }
});

disposableInEveryRealm(ByteChannel.prototype);
