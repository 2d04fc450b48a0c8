/**
 * Routes `sendToCaller()` messages from pool workers to the `onMessage` callback of the call
 * that submitted the task. Thread workers post on a BroadcastChannel private to the pool; child
 * processes send over their IPC channel, which tinypool hands to the per-run `channel` below.
 */
import { BroadcastChannel } from 'node:worker_threads';
import type { CallerMessage } from '../internal/batch.js';

type Listener = (value: unknown) => void;

/** How long a settled call's listener waits for messages a thread worker reported sending. */
const LATE_MESSAGE_MS = 5_000;

let pools = 0;

export class CallerMessages {
  /** The BroadcastChannel name thread workers post on. */
  readonly name = `multiproc:pool:${process.pid}:${++pools}:${Math.random().toString(36).slice(2)}`;
  /** tinypool's per-run channel for child processes. */
  readonly sink = { postMessage: (message: unknown) => this.#route(message) };
  readonly #threads: boolean;
  readonly #listeners = new Map<number, Listener>();
  // Per listener: messages thread workers reported sending, and messages received so far.
  readonly #expected = new Map<number, number>();
  readonly #received = new Map<number, number>();
  // Settled calls whose listener waits for messages still on their way.
  readonly #leaving = new Map<number, NodeJS.Timeout>();
  // Calls waiting for their messages before they settle (see delivered()).
  readonly #waiting = new Map<number, (() => void)[]>();
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

  /** Thread workers' counts of messages sent per listener (each batch reply carries its own). */
  expect(sent: readonly (readonly [number, number])[]): void {
    for (const [id, n] of sent) this.#expected.set(id, (this.#expected.get(id) ?? 0) + n);
  }

  /**
   * Resolves once `count` more messages of listener `id` than counted so far have arrived (a thread
   * call's reply says how many it posted), or after {@link LATE_MESSAGE_MS}.
   */
  delivered(id: number, count: number): Promise<void> {
    this.expect([[id, count]]);
    if ((this.#received.get(id) ?? 0) >= (this.#expected.get(id) ?? 0)) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, LATE_MESSAGE_MS);
      const waiters = this.#waiting.get(id) ?? [];
      waiters.push(done);
      this.#waiting.set(id, waiters);
      function done() {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  /**
   * Unregisters a settled call. A thread's messages travel on another channel than its result, so
   * the listener stays until as many as the workers reported have arrived (at most
   * {@link LATE_MESSAGE_MS}); otherwise it gets one more turn of the event loop.
   */
  remove(id: number): void {
    if ((this.#received.get(id) ?? 0) < (this.#expected.get(id) ?? 0)) {
      const timer = setTimeout(() => this.#forget(id), LATE_MESSAGE_MS);
      timer.unref();
      this.#leaving.set(id, timer);
      return;
    }
    setImmediate(() => this.#forget(id));
  }

  #forget(id: number): void {
    clearTimeout(this.#leaving.get(id));
    this.#leaving.delete(id);
    this.#listeners.delete(id);
    this.#expected.delete(id);
    this.#received.delete(id);
    if (this.#listeners.size === 0) (this.#channel as { unref?(): void } | undefined)?.unref?.();
  }

  /** Stops listening (the pool is gone). */
  close(): void {
    for (const waiters of this.#waiting.values()) for (const done of waiters) done();
    this.#waiting.clear();
    for (const timer of this.#leaving.values()) clearTimeout(timer);
    this.#leaving.clear();
    this.#listeners.clear();
    this.#channel?.close();
    this.#channel = undefined;
  }

  #route(message: unknown): void {
    if (message === null || typeof message !== 'object' || !('__multiproc_message__' in message)) return;
    const { __multiproc_message__: id, value } = message as CallerMessage;
    this.#listeners.get(id)?.(value);
    if (!this.#threads) return;
    const received = (this.#received.get(id) ?? 0) + 1;
    this.#received.set(id, received);
    if (received >= (this.#expected.get(id) ?? 0)) {
      for (const done of this.#waiting.get(id) ?? []) done();
      this.#waiting.delete(id);
    }
    if (this.#leaving.has(id) && received >= (this.#expected.get(id) ?? 0)) this.#forget(id);
  }
}
