/**
 * Routes `sendToCaller()` messages from pool workers to the `onMessage` callback of the call
 * that submitted the task. Thread workers post on a BroadcastChannel private to the pool; child
 * processes send over their IPC channel, which tinypool hands to the per-run `channel` below.
 */
import { BroadcastChannel } from 'node:worker_threads';
import { loadPending, type PendingLoad } from '@multiproc/shared';
import { isMain } from '../identity.js';
import type { CallerMessage } from '../internal/batch.js';
import { decodeValue } from '../internal/error-record.js';

/**
 * A call's listener: `read()` gives the message's value, decoded when the worker encoded it (a
 * decoder missing here throws its `SerializationError` there, where the call can fail with it).
 */
type Listener = (read: () => unknown) => void;

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
  // The same per listener and sending thread (`listener:threadId`), as batch replies report them:
  // a thread's messages arrive in the order it sent them, so its count is exact for it alone.
  readonly #expectedFrom = new Map<string, number>();
  readonly #receivedFrom = new Map<string, number>();
  // Per listener, the keys of #expectedFrom it has.
  readonly #senders = new Map<number, Set<string>>();
  // Settled calls whose listener waits for messages still on their way.
  readonly #leaving = new Map<number, NodeJS.Timeout>();
  // Per listener whose message waits for a task reference's module: the messages behind it, in order.
  readonly #loading = new Map<number, CallerMessage[]>();
  // Calls waiting for their messages before they settle (see delivered()).
  readonly #waiting = new Map<number, { met: () => boolean; done: () => void }[]>();
  #channel: BroadcastChannel | undefined;
  // Posts flush markers (see flushed()); the listening #channel receives them behind what came before.
  #marker: BroadcastChannel | undefined;
  readonly #flushes = new Map<number, () => void>();
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
   * Thread workers' counts of messages sent per listener (each batch reply carries its own), with
   * the id of the thread that sent them when the reply names it.
   */
  expect(sent: readonly (readonly [number, number, number?])[]): void {
    for (const [id, n, from] of sent) {
      this.#expected.set(id, (this.#expected.get(id) ?? 0) + n);
      if (from === undefined) continue;
      const key = `${id}:${from}`;
      this.#expectedFrom.set(key, (this.#expectedFrom.get(key) ?? 0) + n);
      let senders = this.#senders.get(id);
      if (!senders) this.#senders.set(id, (senders = new Set()));
      senders.add(key);
    }
  }

  /**
   * Resolves once every message that batch replies reported for listener `id` has arrived, counted
   * per sending thread (or after {@link LATE_MESSAGE_MS}). A map call's chunks run on several
   * threads at once, so a count over the whole call could be met by another thread's messages.
   */
  drained(id: number): Promise<void> {
    return this.#until(id, () => this.#drainedNow(id));
  }

  #drainedNow(id: number): boolean {
    for (const key of this.#senders.get(id) ?? []) {
      if ((this.#receivedFrom.get(key) ?? 0) < (this.#expectedFrom.get(key) ?? 0)) return false;
    }
    return true;
  }

  /**
   * Resolves once `count` more messages of listener `id` than counted so far have arrived (a thread
   * call's reply says how many it posted), or after {@link LATE_MESSAGE_MS}.
   */
  delivered(id: number, count: number): Promise<void> {
    this.expect([[id, count]]);
    return this.#until(id, () => (this.#received.get(id) ?? 0) >= (this.#expected.get(id) ?? 0));
  }

  /**
   * Resolves once no message of listener `id` waits for a task reference's module any more (see
   * #deliver); `undefined` when none does. A child process's messages arrive before its reply, on
   * the same channel, so a call of a process pool settles after this.
   */
  caughtUp(id: number): Promise<void> | undefined {
    return this.#loading.has(id) ? this.#until(id, () => !this.#loading.has(id)) : undefined;
  }

  /**
   * Resolves once every message thread workers posted before this call has been routed, or after
   * {@link LATE_MESSAGE_MS}: for a call whose thread worker died, which sent no count of its
   * messages. A `BroadcastChannel` puts a message in each receiver's queue when it is posted, so
   * a marker posted from here now reaches the listening channel behind everything the dead thread
   * sent. Resolves at once for child processes (their messages come before their end, on the
   * channel that reports it) and while no call listens.
   */
  flushed(): Promise<void> {
    if (!this.#threads || this.#channel === undefined) return Promise.resolve();
    const token = ++this.#next;
    if (this.#marker === undefined) {
      this.#marker = new BroadcastChannel(this.name);
      // It only posts: an idle pool keeps nothing alive.
      (this.#marker as { unref?(): void }).unref?.();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, LATE_MESSAGE_MS);
      const flushes = this.#flushes;
      flushes.set(token, done);
      this.#marker!.postMessage({ __multiproc_flush__: token });
      function done() {
        clearTimeout(timer);
        flushes.delete(token);
        resolve();
      }
    });
  }

  /** Resolves once `met()` holds, checked as each message of listener `id` arrives (at most {@link LATE_MESSAGE_MS}). */
  #until(id: number, met: () => boolean): Promise<void> {
    if (met()) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, LATE_MESSAGE_MS);
      const waiters = this.#waiting.get(id) ?? [];
      waiters.push({ met, done });
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
    for (const key of this.#senders.get(id) ?? []) {
      this.#expectedFrom.delete(key);
      this.#receivedFrom.delete(key);
    }
    this.#senders.delete(id);
    // A chunk still waiting (its call ended early: imap left, a failure) waits no longer.
    for (const { done } of this.#waiting.get(id) ?? []) done();
    this.#waiting.delete(id);
    if (this.#listeners.size === 0) (this.#channel as { unref?(): void } | undefined)?.unref?.();
  }

  /** Stops listening (the pool is gone). */
  close(): void {
    for (const waiters of this.#waiting.values()) for (const { done } of waiters) done();
    this.#waiting.clear();
    for (const timer of this.#leaving.values()) clearTimeout(timer);
    this.#leaving.clear();
    this.#listeners.clear();
    this.#loading.clear();
    for (const done of [...this.#flushes.values()]) done();
    this.#channel?.close();
    this.#channel = undefined;
    this.#marker?.close();
    this.#marker = undefined;
  }

  #route(message: unknown): void {
    if (message === null || typeof message !== 'object') return;
    if ('__multiproc_flush__' in message) {
      this.#flushes.get(message.__multiproc_flush__ as number)?.();
      return;
    }
    if (!('__multiproc_message__' in message)) return;
    const m = message as CallerMessage;
    const behind = this.#loading.get(m.__multiproc_message__);
    if (behind) behind.push(m);
    else this.#deliver(m);
  }

  /**
   * Hands `m` to its listener, then counts it. In a worker, a task reference in it whose module this
   * realm never imported is loaded first, as a pool call's result is (Python's unpickling imports
   * it), so `onMessage` can call it; meanwhile this listener's later messages wait behind it, and
   * it is counted (delivered() resolves) only once handed over. A load that fails is the message's
   * error: the call fails with it. The main thread loads nothing (task.ts), nor does a value that was
   * not encoded.
   */
  #deliver(m: CallerMessage): void {
    const { __multiproc_message__: id, value, encoded } = m;
    const listener = this.#listeners.get(id);
    if (listener && encoded) {
      const source = this.#threads ? 'thread' : 'process';
      const loads: PendingLoad[] | undefined = isMain() ? undefined : [];
      let read: () => unknown;
      try {
        const decoded = decodeValue(value, source, loads);
        read = () => decoded;
      } catch (error) {
        read = () => {
          throw error; // a decoder missing here: the call fails with it (see Listener)
        };
      }
      const loading = loads && loadPending(loads);
      if (loading) {
        this.#loading.set(id, []);
        const failed = (error: unknown) => () => {
          throw error;
        };
        void loading.then(() => read, failed).then((loaded) => this.#loaded(m, loaded));
        return;
      }
      listener(read);
    } else if (listener) listener(() => value);
    this.#count(m);
  }

  /** `m`'s loads settled: hands it over, then the messages that waited behind it. */
  #loaded(m: CallerMessage, read: () => unknown): void {
    const id = m.__multiproc_message__;
    const behind = this.#loading.get(id);
    if (behind === undefined) return; // closed meanwhile
    this.#loading.delete(id);
    this.#listeners.get(id)?.(read);
    this.#count(m);
    for (const next of behind) this.#route(next);
  }

  #count({ __multiproc_message__: id, from }: CallerMessage): void {
    let received = 0;
    if (this.#threads) {
      received = (this.#received.get(id) ?? 0) + 1;
      this.#received.set(id, received);
      if (from !== undefined) {
        const key = `${id}:${from}`;
        this.#receivedFrom.set(key, (this.#receivedFrom.get(key) ?? 0) + 1);
      }
    } else if (!this.#waiting.has(id)) return;
    const waiters = this.#waiting.get(id);
    if (waiters) {
      const waiting = waiters.filter((w) => !w.met());
      for (const w of waiters) if (!waiting.includes(w)) w.done();
      if (waiting.length > 0) this.#waiting.set(id, waiting);
      else this.#waiting.delete(id);
    }
    if (this.#threads && this.#leaving.has(id) && received >= (this.#expected.get(id) ?? 0)) this.#forget(id);
  }
}
