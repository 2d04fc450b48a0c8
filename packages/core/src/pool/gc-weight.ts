/**
 * A Pool's weight as the engine sees it. Its workers' memory (a thread's isolate, ~8 MB; a child
 * process, ~45 MB) lies outside this thread's heap, so V8 sees a Pool as a few kilobytes: a program
 * that drops pools without `close()` (the finalizer in `pool.ts` terminates them once collected) had
 * every one of them alive, workers and all, until some unrelated need for a major collection: 140
 * pools, 280 threads and 2.4 GB of memory after 200 dropped `'thread'` pools. Each Pool therefore
 * holds an ArrayBuffer V8 counts as external memory, so a few dropped pools are enough to bring
 * a collection. It is never written, so it costs address space, not memory: the allocator maps an
 * allocation this large afresh (glibc's mmap threshold is at most 32 MiB on 64-bit builds) and its
 * pages stay unused, and it counts in `process.memoryUsage().arrayBuffers`, not in `rss`.
 */

/** Above glibc's largest mmap threshold (32 MiB), and half of V8's external-memory step (64 MiB). */
export const POOL_WEIGHT_BYTES = 33 * 1024 * 1024;

/** Each live Pool's weight, kept as long as the Pool itself. */
const weights = new WeakMap<object, ArrayBuffer>();

/** Gives `pool` its weight for its whole life; nothing when the engine refuses the buffer. */
export function weigh(pool: object): void {
  try {
    weights.set(pool, new ArrayBuffer(POOL_WEIGHT_BYTES));
  } catch {
    // No address space for it (a 32-bit build, a limit): the pool works without it.
  }
}
