/**
 * What a failed `release()` says when an `acquire()` of the same object, made in this thread, is
 * still waiting. Python's `lock.acquire()` blocks; ported as `lock.acquire();` without `await`, it
 * returns a pending Promise at once and the code meant to be guarded runs without the lock, so the
 * `release()` after it finds the lock free or held by another thread. A release that fails while
 * this thread's own acquire still waits is that mistake in practically every program, so the
 * message names it rather than telling the program to call acquire() first, which it did.
 * @param kind the class (`'Lock'`, `'RLock'`, `'BoundedSemaphore'`).
 * @param name how the example calls it (`'lock'`, `'sem'`).
 */
export function unawaitedAcquire(kind: string, name: string): string {
  return (
    ` An acquire() of this ${kind} made in this thread is still waiting: was \`await\` left out of ` +
    `\`${name}.acquire()\`? It returns a Promise (Python's acquire() blocks), so the code after it ran ` +
    `without the ${kind}. Write \`await ${name}.acquire()\`, or \`${name}.acquireSync()\` in a worker's ` +
    `loop, or \`await ${name}.withLock(fn)\`.`
  );
}
