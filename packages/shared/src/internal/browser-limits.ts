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
    throw new ContextError(
      "A blocking wait (acquireSync(), waitSync(), …) cannot run on a browser page's main thread: the " +
        'browser refuses Atomics.wait there. On the page, use the async form (await lock.acquire(), await ' +
        'event.wait(), await barrier.wait(), …); keep the …Sync forms for Web Workers.',
      { cause },
    );
  }
}

type WaitOutcome = 'ok' | 'not-equal' | 'timed-out';

let mayBlock = false;

/**
 * Throws the ContextError of {@link atomicsWait} where this thread may not block (a page's main
 * thread), even when the wait's time is already up: a call that asked to wait must fail the same
 * way however long the machine took to reach the wait. Probed once per realm.
 */
export function assertMayBlock(): void {
  if (mayBlock) return;
  atomicsWait(new Int32Array(newSharedBuffer(4)), 0, 1, 0);
  mayBlock = true;
}
