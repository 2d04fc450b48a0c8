/**
 * Host side: the young generation of a pool's worker thread whose heap the pool limits, so that a
 * worker running out of memory ends alone instead of aborting the whole program.
 *
 * Node stops a Worker that reaches its `maxOldGenerationSizeMb` from V8's near-heap-limit callback,
 * which grants the heap 16 MB more (`kExtraHeapAllowance`, Node's `node_worker.cc`) so that the
 * garbage collection under way can finish while the worker is told to stop. A scavenge promotes
 * up to one semi-space of live objects into the old generation, and V8 splits a young generation
 * of N MB into semi-spaces of N / 3 MB. Node 22 gave a Worker a 48 MB young generation (16 MB
 * semi-spaces: within the grant); Node 24 gives it 192 MB (64 MB semi-spaces), and a task that
 * keeps much young data alive (nodejs/node#47224's sliced strings) then overshoots the grant: V8
 * aborts the process ("FATAL ERROR: Reached heap limit"), every thread of the program with it.
 * Measured on Node 24 with `maxOldGenerationSizeMb` 64 and 256: 9 aborts in 10 runs with its
 * default young generation, none in 10 with 48 MB.
 */
import type { ResourceLimits } from 'node:worker_threads';

/** The young generation given to a worker thread whose old generation the pool limits, in MB. */
export const LIMITED_HEAP_YOUNG_GENERATION_MB = 48;

/**
 * `given` (a Pool's `resourceLimits`), with `maxYoungGenerationSizeMb` of
 * {@link LIMITED_HEAP_YOUNG_GENERATION_MB} when it limits the old generation and leaves the young
 * one to Node; a young generation the pool sets is kept as given (no larger than that with a heap
 * limit: `pool/resource-limits.ts` refuses more).
 */
export function boundedYoungGeneration(given: ResourceLimits | null | undefined): ResourceLimits | undefined {
  if (given?.maxOldGenerationSizeMb === undefined || given.maxYoungGenerationSizeMb !== undefined) {
    return given ?? undefined;
  }
  return { ...given, maxYoungGenerationSizeMb: LIMITED_HEAP_YOUNG_GENERATION_MB };
}
