/**
 * The two things a browser refuses that Node allows, turned into errors that say what to do:
 * `SharedArrayBuffer` exists only on a cross-origin-isolated page (and its workers), and
 * `Atomics.wait` (every `…Sync` wait) is refused on a page's main thread. Node, Deno and Bun allow
 * both, so these checks cost nothing there but a `typeof`.
 */
import { ContextError } from '../errors.js';

/**
 * A new SharedArrayBuffer of `bytes` bytes.
 * @throws {ContextError} where the global does not exist (a page that is not cross-origin isolated).
 */
export function newSharedBuffer(bytes: number): SharedArrayBuffer {
  if (typeof SharedArrayBuffer !== 'function') throw notIsolated();
  return new SharedArrayBuffer(bytes);
}

/** The error for a missing SharedArrayBuffer global. */
export function notIsolated(): ContextError {
  return new ContextError(
    'SharedArrayBuffer is not available here, so no shared object (Value, Lock, Event, …) can be made: ' +
      'browsers give it only to cross-origin-isolated pages (crossOriginIsolated is false here). Serve the ' +
      'page with the headers "Cross-Origin-Opener-Policy: same-origin" and "Cross-Origin-Embedder-Policy: ' +
      'require-corp" (or "credentialless"); see the Browsers section of the runtimes guide.',
  );
}

/**
 * `Atomics.wait`, with the browser main thread's refusal (a `TypeError`: "Atomics.wait cannot be
 * called in this context") turned into a ContextError. Only that refusal can throw here: every
 * array this package waits on is an Int32Array over shared memory.
 */
export function atomicsWait(array: Int32Array, index: number, value: number, ms: number): WaitOutcome {
  try {
    return Atomics.wait(array, index, value, ms);
  } catch (cause) {
    if (!(cause instanceof TypeError)) throw cause;
    throw refusal(cause);
  }
}

type WaitOutcome = 'ok' | 'not-equal' | 'timed-out';

function refusal(cause: unknown): ContextError {
  return new ContextError(
    "A blocking wait (acquireSync(), waitSync(), …) cannot run on a browser page's main thread: the " +
      'browser refuses Atomics.wait there. On the page, use the async form (await lock.acquire(), await ' +
      'event.wait(), await barrier.wait(), …); keep the …Sync forms for Web Workers.',
    { cause },
  );
}

let mayBlock: boolean | undefined;
let refused: unknown;

/** Whether this thread may block in `Atomics.wait` (not on a page's main thread). Probed once per realm. */
export function canBlock(): boolean {
  if (mayBlock === undefined) {
    try {
      Atomics.wait(new Int32Array(newSharedBuffer(4)), 0, 1, 0);
      mayBlock = true;
    } catch (cause) {
      if (!(cause instanceof TypeError)) throw cause;
      refused = cause;
      mayBlock = false;
    }
  }
  return mayBlock;
}

/** The ContextError of {@link atomicsWait}, for a call refused before it waits. */
export function blockingRefused(): ContextError {
  return refusal(refused);
}

/**
 * Throws the ContextError of {@link atomicsWait} where this thread may not block (a page's main
 * thread), even when the wait's time is already up: a call that asked to wait must fail the same
 * way however long the machine took to reach the wait. A call that never asked to wait (a timeout
 * of 0: `NO_WAIT` in wait.ts) answers as on any thread instead. Primitives with waiters' counts
 * call it before they count this one, so a refused call leaves nothing behind.
 */
export function assertMayBlock(): void {
  if (!canBlock()) throw refusal(refused);
}
