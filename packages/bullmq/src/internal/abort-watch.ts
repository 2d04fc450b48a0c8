/**
 * One `abort` listener per signal, however many calls watch it. A listener per call on the pool's
 * own signal (or on one signal a user passes to many calls) made Node 20 print
 * `MaxListenersExceededWarning: Possible EventTarget memory leak detected` from the 11th call in
 * flight, though every listener was removed when its call settled. The core Pool watches signals
 * the same way (its `pool/util.ts`).
 */

interface Watch {
  readonly calls: Set<() => void>;
  readonly stop: () => void;
}

const watches = new WeakMap<AbortSignal, Watch>();

/**
 * Runs `onAbort` once when `signal` aborts (at once, synchronously, when it is aborted already).
 * The function it returns stops watching; call it when the call settles.
 */
export function watchAbort(signal: AbortSignal, onAbort: () => void): () => void {
  if (signal.aborted) {
    onAbort();
    return () => {};
  }
  let watch = watches.get(signal);
  if (!watch) {
    const calls = new Set<() => void>();
    const onSignal = () => {
      watches.delete(signal);
      for (const fire of [...calls]) fire();
    };
    signal.addEventListener('abort', onSignal, { once: true });
    watch = { calls, stop: () => signal.removeEventListener('abort', onSignal) };
    watches.set(signal, watch);
  }
  const mine = watch;
  // A Set would merge two watches with one callback: wrap it so that each has its own entry.
  const entry = () => onAbort();
  mine.calls.add(entry);
  return () => {
    mine.calls.delete(entry);
    if (mine.calls.size === 0 && watches.get(signal) === mine) {
      watches.delete(signal);
      mine.stop();
    }
  };
}
