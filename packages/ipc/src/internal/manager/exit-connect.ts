/**
 * A manager call nobody awaits (Python's calls are synchronous: `lst.append(x)` ported as is) must
 * still be applied before the task's result or the Process's end is reported: a pool worker's event
 * loop stops between tasks (tinypool waits on Atomics there), so a connection still being made, or
 * an answered call not yet run, would wait for the next task, and a worker that ends would drop it.
 * So each client (client.ts) is one of the copies the worker flush hook waits for (runtime/exit.ts):
 * when a call is unanswered or not yet in the kernel, its `flush()` asks the manager for a SYNC,
 * answered once every frame before it has run (per-connection order). Otherwise it costs nothing.
 * A thread or process that ends (`process.exit()`) before the connection is up sends what waits for
 * it over a connection made synchronously at exit, here.
 *
 * A manager connection made synchronously, at exit. A proxy's first calls wait in its client
 * until the connection is authenticated (client.ts); a thread or process that ends before that
 * (`lst.append(x); process.exit(0)`: nothing awaited, so the connection never got a turn) would
 * drop them, and the event loop will not run again. Here the same handshake runs on a fresh
 * socket with blocking-free synchronous reads and writes, the waiting frames follow, and a SYNC
 * request after them is answered once the manager ran them all, so the parent that joins this
 * worker sees their effect.
 *
 * A Unix socket (the default address) connects within `net.connect()`; a TCP address connects on a
 * later tick only, which never comes at exit: those frames cannot be delivered (the caller says so).
 */
import { readSync, writeSync } from 'node:fs';
import type net from 'node:net';
import { type Address, netAddress } from '../net/endpoint.js';
import {
  CHALLENGE,
  DIGEST,
  FAILURE,
  MAX_MESSAGE_BYTES,
  MESSAGE_BYTES,
  parseManagerHello,
  respond,
  WELCOME,
} from '../net/handshake.js';
import { FrameSplitter } from './frame-io.js';
import { encoded, REQUEST, requestFrame, SYNC } from './rpc.js';

const SLEEP = new Int32Array(new SharedArrayBuffer(4));
const READ_BYTES = 64 * 1024;

/** Synchronous reads and writes on a non-blocking descriptor, polling each ms until a deadline. */
class SyncWire {
  readonly #fd: number;
  readonly #deadline: number;
  #buf: Buffer = Buffer.alloc(0);

  constructor(fd: number, deadline: number) {
    this.#fd = fd;
    this.#deadline = deadline;
  }

  write(bytes: Uint8Array): boolean {
    for (let off = 0; off < bytes.byteLength; ) {
      try {
        off += writeSync(this.#fd, bytes, off, bytes.byteLength - off);
      } catch (err) {
        if (!this.#wait(err)) return false;
      }
    }
    return true;
  }

  /** Writes one length-prefixed handshake message (4 bytes, big-endian). */
  message(m: Buffer): boolean {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(m.length, 0);
    return this.write(Buffer.concat([head, m]));
  }

  /** Reads the next handshake message; null when the peer ended, sent too much, or took too long. */
  next(): Buffer | null {
    for (;;) {
      if (this.#buf.length >= 4) {
        const n = this.#buf.readUInt32BE(0);
        if (n > MAX_MESSAGE_BYTES) return null;
        if (this.#buf.length >= 4 + n) {
          const m = Buffer.from(this.#buf.subarray(4, 4 + n));
          this.#buf = this.#buf.subarray(4 + n);
          return m;
        }
      }
      if (!this.#read()) return null;
    }
  }

  /** Feeds what was read past the handshake, then reads on, into `splitter` until `done()`. */
  frames(splitter: FrameSplitter, done: () => boolean): boolean {
    splitter.push(this.#buf);
    this.#buf = Buffer.alloc(0);
    while (!done()) {
      if (!this.#read()) return false;
      splitter.push(this.#buf);
      this.#buf = Buffer.alloc(0);
    }
    return true;
  }

  // Appends what the descriptor has; false at its end, on an error, or past the deadline.
  #read(): boolean {
    const chunk = Buffer.allocUnsafe(READ_BYTES);
    for (;;) {
      try {
        const n = readSync(this.#fd, chunk, 0, READ_BYTES, null);
        if (n === 0) return false;
        this.#buf = Buffer.concat([this.#buf, chunk.subarray(0, n)]);
        return true;
      } catch (err) {
        if (!this.#wait(err)) return false;
      }
    }
  }

  // The kernel is not ready (EAGAIN): waits a millisecond, unless the deadline passed.
  #wait(err: unknown): boolean {
    if ((err as NodeJS.ErrnoException).code !== 'EAGAIN' || Date.now() > this.#deadline) return false;
    Atomics.wait(SLEEP, 0, 0, 1);
    return true;
  }
}

/** The client's side of the handshake (handshake.ts), synchronously: answer, challenge, hello. */
function authenticate(wire: SyncWire, key: Buffer, server: string | undefined): boolean {
  const challenge = wire.next();
  if (!challenge?.subarray(0, CHALLENGE.length).equals(CHALLENGE)) return false;
  if (!wire.message(respond(key, challenge.subarray(CHALLENGE.length)))) return false;
  if (!wire.next()?.equals(WELCOME)) return false;
  const mine = Buffer.concat([DIGEST, process.getBuiltinModule('node:crypto').randomBytes(MESSAGE_BYTES)]);
  if (!wire.message(Buffer.concat([CHALLENGE, mine]))) return false;
  const answer = wire.next();
  const expected = respond(key, mine);
  if (!answer || answer.length !== expected.length || !answer.equals(expected)) {
    wire.message(FAILURE);
    return false;
  }
  if (!wire.message(WELCOME)) return false;
  const hello = wire.next();
  try {
    const said = hello === null ? undefined : parseManagerHello(JSON.parse(hello.toString('utf8')));
    // Another instance at the address (the manager was started again) is not the one they were for.
    return said !== undefined && (server === undefined || said.server === server);
  } catch {
    return false;
  }
}

/**
 * Connects to the manager at `address` now, sends `frames` (whole request frames, in order), then a
 * SYNC request numbered `syncSeq`, and returns once the manager answered it: every frame ran. False
 * when that could not be done by `deadline` (a TCP address, a manager gone, a wrong key, another
 * `server` instance).
 */
export function deliverAtExit(
  address: Address,
  key: Buffer,
  frames: readonly Buffer[],
  syncSeq: number,
  deadline: number,
  server?: string,
): boolean {
  const target = netAddress(address, 'a manager proxy');
  if (!('path' in target)) return false;
  let socket: net.Socket | undefined;
  try {
    socket = process.getBuiltinModule('node:net').connect(target);
    socket.on('error', () => {}); // a failed connect is seen here as a failed read or write
    const fd = (socket as unknown as { _handle?: { fd?: number } | null })._handle?.fd;
    if (fd === undefined || fd < 0) return false;
    const wire = new SyncWire(fd, deadline);
    if (!authenticate(wire, key, server)) return false;
    for (const frame of frames) if (!wire.write(frame)) return false;
    const n = requestFrame(syncSeq, 0, SYNC, [], REQUEST);
    if (!wire.write(Buffer.from(encoded().subarray(0, n)))) return false;
    let synced = false;
    const splitter = new FrameSplitter((seq) => {
      if (seq === syncSeq) synced = true;
    });
    return wire.frames(splitter, () => synced);
  } catch {
    return false;
  } finally {
    socket?.destroy();
  }
}
