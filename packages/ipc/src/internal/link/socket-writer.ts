/**
 * The write side of a {@link SocketLink}: batches go to the kernel in order, synchronously when it takes
 * them, else through the socket (libuv), which writes the rest once the kernel has room.
 *
 * A batch is first written straight to the socket's descriptor (non-blocking `writevSync`), so a sender
 * looping on `sendBytes()` hands its bytes to the kernel as it goes and the receiver works meanwhile; through
 * `socket.write` alone nothing after the first write left before the loop ended. What the kernel does not
 * take waits in `#queued`: later batches of the turn try again (the receiver drains the socket meanwhile),
 * and at the end of the turn the rest goes to the socket, which calls back once the kernel accepted it. Until
 * then (`#inflight`) nothing is written synchronously, as it would overtake libuv's bytes. So this side
 * always knows which bytes the kernel has not taken (the in-flight batch's last `writeQueueSize` bytes, then
 * `#queued`): what {@link pending} hands to the exit path, which writes them synchronously where Node would
 * drop them.
 *
 * A write refused because the other side closed its end (EPIPE, ECONNRESET) ends writing, not the socket:
 * Node destroys a socket whose write fails, dropping unread what that side wrote before it closed (a worker's
 * home: its last items and its bequest). Later writes are dropped; it reads on. The batch libuv holds can
 * still fail so (Node destroys the socket), but after what that side wrote was read: libuv reads a socket
 * before it writes to it in one poll event, up to 32 reads (2 MiB at least), more than that side's send
 * buffer holds (Linux's default: 208 KiB). Only that side closing in the microseconds between this side's
 * EAGAIN and libuv's own first try (an error reported before the next poll) escapes this: it could drop a
 * home's last frames to a copy, which its will holds (runtime/will.ts), or a copy's last consumed-report (its
 * items are served again), never a put (a copy's exit waits for its home to confirm them).
 */
import { writevSync } from 'node:fs';
import type net from 'node:net';
import { flushAtTurnEnd } from './scheduler.js';
import { pooledCopy, released } from './send-pool.js';
import { peerClosed } from './write-sync.js';

export { writeAllSync, writeSomeSync } from './write-sync.js';

interface PipeHandle {
  fd?: number;
  writeQueueSize?: number;
}

/** At most this many chunks per `writevSync` (below every system's IOV_MAX). */
const MAX_IOV = 64;
/** {@link SocketWriter.waitForRoom} gives up once the kernel took nothing for this long. */
const STALL_MS = 20;
/**
 * Its pauses between tries: from this, and from this again after a try that wrote (a sleep lasts
 * 70-90 µs at least, timer slack included, and the kernel's buffer of about three 64 KiB frames
 * drains in about that time; a longer pause leaves the reader idle), …
 */
const MIN_PAUSE_MS = 0.02;
/** …doubling after a try that wrote nothing, up to this. */
const MAX_PAUSE_MS = 1;
const SLEEP = new Int32Array(new SharedArrayBuffer(4));

export class SocketWriter {
  #socket: net.Socket | null = null;
  // The descriptor for synchronous writes; -1 when there is none (Windows) or it failed once.
  #fd = -1;
  // Given to the socket and not yet accepted by the kernel; then what waits behind it.
  #inflight: Uint8Array[] | null = null;
  #queued: Uint8Array[] = [];
  #queuedBytes = 0;
  #handoffDue = false;
  // waitForRoom() gave up: it waits again once the kernel takes bytes again (or all drained).
  #stalled = false;
  #peerGone = false; // the other side closed its end: nothing more is written
  #endWhenDrained = false;
  #drainWaiters: (() => void)[] = [];
  readonly #handoff = { flush: () => this.#toSocket() };

  /** Bytes waiting for the kernel. */
  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  /** Nothing waits for the kernel. */
  get idle(): boolean {
    return this.#inflight === null && this.#queued.length === 0;
  }

  /** Starts writing to `s` (connected); what was written before waits no more. */
  attach(s: net.Socket): void {
    this.#socket = s;
    this.#fd = descriptor(s);
    this.#next();
  }

  /**
   * Writes synchronously to `s` while it is still connecting. A Unix-domain `connect()` completes
   * in the call (libuv reports it on the next loop turn), so the kernel takes bytes at once, and a
   * copy made in a task that never yields delivers what it sends rather than nothing. A failed
   * connect fails these writes without taking bytes (they wait), and {@link detach} forgets the
   * descriptor before it is closed and its number reused.
   */
  preattach(s: net.Socket): void {
    this.#fd = descriptor(s);
    this.#next();
  }

  /** The socket being dialled failed: writes wait for the next one. */
  detach(): void {
    if (!this.#socket) this.#fd = -1;
  }

  /**
   * Writes `chunks` after everything before them. With `borrowed` (the last chunk: a sender's own
   * memory, which it may change once this returns), what the kernel does not take of it now is
   * copied first, into the send pool.
   */
  write(chunks: Uint8Array[], borrowed = false): void {
    if (this.#peerGone) {
      for (const c of chunks) released(c);
      return;
    }
    const q = this.#queued;
    for (const c of chunks) {
      q.push(c);
      this.#queuedBytes += c.byteLength;
    }
    if (!this.#inflight) this.#next();
    // Partial writes only trim the head, so what is left of the last chunk is the queue's last.
    const last = chunks.at(-1);
    const rest = q.at(-1);
    if (borrowed && last && rest && rest.buffer === last.buffer && end(rest) === end(last))
      q[q.length - 1] = pooledCopy(rest);
  }

  /**
   * Blocks this thread while bytes written before wait for the kernel and the receiver takes some
   * every so often (tries {@link MIN_PAUSE_MS} apart, doubling while nothing is taken), so a sender
   * of big bytes holds at most about one frame in memory (reused, not allocated per message), as
   * Python's blocking `send_bytes` does. It gives up once nothing was
   * taken for {@link STALL_MS} (the receiver may be waiting for this thread, or not be scheduled)
   * and then waits again only once a later write saw the kernel take bytes.
   */
  waitForRoom(): void {
    if (this.#fd < 0 || this.#inflight || this.#queued.length === 0 || this.#stalled) return;
    let progressAt = performance.now();
    let pause = MIN_PAUSE_MS;
    for (;;) {
      const before = this.#queuedBytes;
      if (this.#writeNow()) return;
      const now = performance.now();
      if (this.#queuedBytes < before) {
        progressAt = now;
        pause = MIN_PAUSE_MS;
      } else if (now - progressAt > STALL_MS || this.#fd < 0) {
        this.#stalled = true;
        return;
      } else pause = Math.min(MAX_PAUSE_MS, pause * 2);
      Atomics.wait(SLEEP, 0, 0, pause);
    }
  }

  /** Resolves once the kernel took everything written so far, or the socket closed. */
  drained(closed: boolean): Promise<void> {
    if (closed || (this.#socket && this.idle)) return Promise.resolve();
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  /** Ends the socket once everything written has gone (at once if nothing waits). */
  end(): void {
    if (this.idle) this.#socket?.end();
    else {
      this.#endWhenDrained = true;
      this.#toSocket();
    }
  }

  /** The socket closed: nothing more can be written. */
  closed(): void {
    this.#fd = -1;
    this.#inflight = null;
    this.#queued = [];
    this.#queuedBytes = 0;
    this.#wake();
  }

  /**
   * What the kernel has not taken, in order (the tail of the batch in flight, then the queue),
   * handed to the caller for a synchronous write: the socket will not write it any more.
   */
  pending(handle: PipeHandle): Uint8Array[] {
    const out: Uint8Array[] = [];
    if (this.#inflight && typeof handle.writeQueueSize === 'number') {
      let skip = this.#inflight.reduce((n, c) => n + c.byteLength, 0) - handle.writeQueueSize;
      for (const c of this.#inflight) {
        if (skip >= c.byteLength) skip -= c.byteLength;
        else {
          out.push(c.subarray(skip));
          skip = 0;
        }
      }
    }
    this.#inflight = null;
    out.push(...this.#queued);
    this.#queued = [];
    this.#queuedBytes = 0;
    return out;
  }

  #next(): void {
    if (this.#inflight || this.#queued.length === 0 || (this.#fd >= 0 && this.#writeNow()) || !this.#socket) {
      this.#wake();
      return;
    }
    if (this.#handoffDue) return;
    this.#handoffDue = true;
    flushAtTurnEnd(this.#handoff);
  }

  // Writes from the head of the queue what the kernel takes now; true once the queue is empty.
  #writeNow(): boolean {
    const q = this.#queued;
    while (q.length > 0) {
      const iov = q.length <= MAX_IOV ? q : q.slice(0, MAX_IOV);
      let n: number;
      // A full socket throws EAGAIN: without a stack trace that costs half as much (6 vs 13 µs).
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 0;
      try {
        n = writevSync(this.#fd, iov);
        this.#stalled = false; // the receiver reads: waiting for it is safe again
      } catch (err) {
        // EAGAIN: the kernel's buffer is full. The other side closed its end (connected): writing
        // ends, reading goes on. Anything else: the socket reports it.
        if (this.#socket && peerClosed(err)) return this.#closedByPeer();
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') this.#fd = -1;
        return false;
      } finally {
        Error.stackTraceLimit = limit;
      }
      this.#queuedBytes -= n;
      let i = 0;
      while (i < q.length && n >= q[i]!.byteLength) {
        n -= q[i]!.byteLength;
        released(q[i++]!);
      }
      q.splice(0, i);
      if (n > 0) q[0] = q[0]!.subarray(n);
      if (i < iov.length) return false; // the kernel took part: it is full
    }
    return true;
  }

  // The other side closed its end: what waits is dropped, and nothing goes to the socket any more.
  #closedByPeer(): true {
    this.#peerGone = true;
    this.write(this.#queued.splice(0)); // dropped
    this.#fd = -1;
    this.#queuedBytes = 0;
    return true;
  }

  // End of turn: what the kernel did not take goes to the socket as one writev, which calls back
  // once the kernel accepted it.
  #toSocket(): void {
    this.#handoffDue = false;
    const s = this.#socket;
    // One more try first: the kernel may take it all now, or say the other side closed its end.
    if (!s || this.#inflight || this.#queued.length === 0 || (this.#fd >= 0 && this.#writeNow())) {
      this.#wake();
      return;
    }
    const chunks = this.#queued;
    this.#queued = [];
    this.#queuedBytes = 0;
    this.#inflight = chunks;
    const done = () => {
      if (this.#inflight !== chunks) return;
      this.#inflight = null;
      for (const c of chunks) released(c);
      this.#next();
    };
    if (chunks.length === 1) s.write(chunks[0]!, done);
    else {
      s.cork(); // one writev
      for (let i = 0; i < chunks.length - 1; i++) s.write(chunks[i]!);
      s.write(chunks.at(-1)!, done);
      s.uncork();
    }
  }

  #wake(): void {
    if (!this.idle) return;
    this.#stalled = false;
    if (this.#endWhenDrained) {
      this.#endWhenDrained = false;
      this.#socket?.end();
    }
    for (const w of this.#drainWaiters.splice(0)) w();
  }
}

// The descriptor for synchronous writes, or -1 (none yet, or Windows, whose pipes have none).
function descriptor(s: net.Socket): number {
  const fd = (s as unknown as { _handle?: PipeHandle })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 && process.platform !== 'win32' ? fd : -1;
}

function end(c: Uint8Array): number {
  return c.byteOffset + c.byteLength;
}
