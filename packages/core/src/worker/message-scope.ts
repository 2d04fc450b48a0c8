/**
 * Worker side of `sendToCaller()`: which pool call a message belongs to. A task can leave work
 * behind (a timer, a stream) that calls `sendToCaller()` after it returned, while the worker runs
 * the next call; a sink swapped per call would hand that message to the next call's `onMessage`.
 * Each call that has an `onMessage` runs in an `AsyncLocalStorage` context of its own, which the
 * work it starts inherits: a message is sent only from the context of the call now running, and
 * any other is dropped (`sendToCaller()` returns `false`).
 *
 * The storage is made when the first such call reaches this worker: until then, calls without an
 * `onMessage` (the hot path of `map` over plain items) run without it and pay nothing; a call
 * without one has no sink, so nothing it leaves behind is sent either.
 */
import type { AsyncLocalStorage } from 'node:async_hooks';
import { type MessageSink, setMessageSink } from '../task-message.js';

let scope: AsyncLocalStorage<object> | undefined;

/**
 * Runs `task` as a call whose messages go to `sink`, and makes `sink` this realm's for the time
 * it runs (until {@link endCallMessages}). Returns what `task` returns.
 */
export function runWithMessages<T>(sink: MessageSink, task: () => T): T {
  scope ??= new (process.getBuiltinModule('node:async_hooks').AsyncLocalStorage)();
  const storage = scope;
  const call = {};
  setMessageSink((value) => storage.getStore() === call && sink(value));
  return storage.run(call, task);
}

/** Ends the running call's messages: what its leftovers send from now on is dropped. */
export function endCallMessages(): void {
  setMessageSink(undefined);
}
