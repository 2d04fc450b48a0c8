/**
 * A Pool's weight as the engine sees it. Its workers' memory (a thread's isolate, ~8 MB; a child
 * process, ~45 MB) lies outside this thread's heap, so V8 sees a Pool as a few kilobytes: a program
 * that drops pools without `close()` (the finalizer in `pool.ts` terminates them once collected) had
 * every one of them alive, workers and all, until some unrelated need for a major collection: 140
 * pools, 295 threads and 2.4 GB of memory after 200 dropped `'thread'` pools. Each open Pool
 * therefore holds an ArrayBuffer V8 counts as external memory, so a couple of dropped pools bring a
 * collection. It is never written, so it costs address space, not memory: an allocation this large
 * is mapped afresh (glibc's mmap threshold is at most 32 MiB on 64-bit builds; a 16 MiB one came
 * from the heap and was zeroed, 6-60 ms each) and it is not in `rss`.
 *
 * A pool that stopped (`join()` ended, `terminate()`) gives its weight to the next pool. A weight
 * left to the collector made V8 run a major collection every second pool of a program that makes
 * and ends pool after pool (7 in 12 pools; +8 ms of CPU on each `'process'` pool's start), and one
 * detached at once (`ArrayBuffer.prototype.transfer(0)`, Node 21+) still 5-6 in 16: one kept
 * buffer (the spare) brings none. A weight given back while the spare is there is detached where
 * the engine can (freed at once), else left to the collector.
 */

/** Above glibc's largest mmap threshold (32 MiB), and half of V8's external-memory step (64 MiB). */
export const POOL_WEIGHT_BYTES = 33 * 1024 * 1024;

const transfer = (ArrayBuffer.prototype as { transfer?: (length: number) => ArrayBuffer }).transfer;

/** The weight a stopped pool gave back, for the next pool. */
let spare: ArrayBuffer | undefined;

/** A new pool's weight: the spare, or a new one; none when the engine refuses the buffer. */
export function takeWeight(): ArrayBuffer | undefined {
  const kept = spare;
  spare = undefined;
  if (kept) return kept;
  try {
    return new ArrayBuffer(POOL_WEIGHT_BYTES);
  } catch {
    return undefined; // no address space for it (a 32-bit build, a limit): the pool works without it
  }
}

/** Gives back a stopped pool's weight: kept as the spare, else freed. */
export function giveWeight(weight: ArrayBuffer | undefined): void {
  if (!weight) return;
  if (!spare) spare = weight;
  else transfer?.call(weight, 0);
}
