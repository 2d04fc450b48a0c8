/**
 * The write side of a manager client's socket (client.ts): frames leave in the order they were
 * made, through a {@link SocketWriter}, which writes each straight to the kernel when it takes it
 * and otherwise keeps what is left, so this side always knows which bytes have not left yet.
 *
 * That is what makes an end in order: at exit (`process.exit()`, the end of a thread or process)
 * the event loop never runs again, so bytes left to the socket's stream would be dropped, and with
 * them every frame behind them, the last of which is ENDS_NORMALLY. The manager would then see the
 * connection end without it and give back the Locks and permits the realm still held, as if it had
 * failed. {@link ClientOut.flushSync} writes what is left synchronously instead, oldest first.
 */
import type net from 'node:net';
import { flushBefore } from '../link/send-order.js';
import { SocketWriter, writeAllSync } from '../link/socket-writer.js';
import { encoded, shrink } from './rpc.js';

interface PipeHandle {
  fd?: number;
  writeQueueSize?: number;
}

const SENT: Promise<undefined> = Promise.resolve(undefined);

export class ClientOut {
  readonly #out = new SocketWriter();
  #socket: net.Socket | null = null;

  /** Nothing waits for the kernel. */
  get idle(): boolean {
    return this.#out.idle;
  }

  /** The socket is connected and authenticated: `frames` (made meanwhile) go first, in order. */
  attach(s: net.Socket, frames: readonly Buffer[]): void {
    this.#socket = s;
    this.#out.attach(s);
    if (frames.length > 0) this.#out.write([...frames]);
  }

  /**
   * Writes the `n` bytes just encoded (rpc.ts `encoded()`) after everything before them; resolves
   * once the kernel took them (at once, the usual case).
   */
  send(n: number): Promise<unknown> {
    flushBefore(null); // what this thread sent or took on its queues and pipes leaves first (send-order.ts)
    this.#out.write([encoded().subarray(0, n)], true); // what the kernel does not take is copied
    if (n > 4096) shrink();
    return this.#out.idle ? SENT : this.#out.drained(false);
  }

  /**
   * At exit: writes what the kernel has not taken, in order, blocking until `deadline` (a
   * `Date.now()` value) at most. Nothing when the socket is closed (the manager is gone: nobody
   * would read it) or breaks meanwhile.
   */
  flushSync(deadline: number): void {
    if (this.#out.idle) return;
    const handle = (this.#socket as unknown as { _handle?: PipeHandle } | null)?._handle;
    const fd = handle?.fd;
    if (handle === undefined || handle === null || fd === undefined || fd < 0) return;
    for (const c of this.#out.pending(handle)) if (!writeAllSync(fd, c, deadline)) return;
  }

  /** The socket closed: nothing more can be written. */
  closed(): void {
    this.#out.closed();
  }
}
