/**
 * Routes `sendToCaller()` messages from pool workers to the `onMessage` callback of the call
 * that submitted the task. Thread workers post on a BroadcastChannel private to the pool; child
 * processes send over their IPC channel, which tinypool hands to the per-run `channel` below.
 */
import { BroadcastChannel } from 'node:worker_threads';
import type { CallerMessage } from '../internal/batch.js';

type Listener = (value: unknown) => void;

let pools = 0;

export class CallerMessages {
  /** The BroadcastChannel name thread workers post on. */
  readonly name = `multiproc:pool:${process.pid}:${++pools}:${Math.random().toString(36).slice(2)}`;
  /** tinypool's per-run channel for child processes. */
  readonly sink = { postMessage: (message: unknown) => this.#route(message) };
  readonly #threads: boolean;
  readonly #listeners = new Map<number, Listener>();
  #channel: BroadcastChannel | undefined;
  #next = 0;

  constructor(threads: boolean) {
    this.#threads = threads;
  }

  /** Registers a call's `onMessage`; returns the id its jobs carry. */
  add(listener: Listener): number {
    const id = ++this.#next;
    this.#listeners.set(id, listener);
    if (this.#threads) {
      this.#channel ??= Object.assign(new BroadcastChannel(this.name), {
        onmessage: (event: { data: unknown }) => this.#route(event.data),
      });
      (this.#channel as { ref?(): void }).ref?.();
    }
    return id;
  }

  /**
   * Unregisters a settled call. A thread's last messages travel on another channel than its
   * result, so they get one more turn of the event loop to arrive.
   */
  remove(id: number): void {
    setImmediate(() => {
      this.#listeners.delete(id);
      if (this.#listeners.size === 0) (this.#channel as { unref?(): void } | undefined)?.unref?.();
    });
  }

  /** Stops listening (the pool is gone). */
  close(): void {
    this.#listeners.clear();
    this.#channel?.close();
    this.#channel = undefined;
  }

  #route(message: unknown): void {
    if (message === null || typeof message !== 'object' || !('__multiproc_message__' in message)) return;
    const { __multiproc_message__: id, value } = message as CallerMessage;
    this.#listeners.get(id)?.(value);
  }
}
