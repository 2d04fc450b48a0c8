/**
 * How the parts of a pool emit its events: through {@link listenerSafe}, so that a user's listener
 * that throws never cuts the pool's bookkeeping short (a result already taken off the pending jobs
 * but not yet handed to its call would leave that call pending for good; a teardown would stop
 * half done). Its error is thrown again on a turn of its own, an uncaught exception, as the local
 * pool's events do.
 */
import type { EventEmitter } from 'node:events';

/** Where the pool's parts send its events (`completed`, `failed`, `workerCreate`, ...). */
export interface PoolEventSink {
  emit(event: string, ...args: unknown[]): void;
}

/** Emits on `emitter`; a listener's error is rethrown in a microtask instead of to the caller. */
export function listenerSafe(emitter: Pick<EventEmitter, 'emit'> | PoolEventSink): PoolEventSink {
  return {
    emit(event, ...args) {
      try {
        emitter.emit(event, ...args);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    },
  };
}
