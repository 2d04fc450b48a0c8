/** How many calls of one task a batch holds: a few ms of worker time, once the task's speed is known. */
import { MAX_BATCH, type TaskSpec } from '../internal/batch.js';
import { AdaptiveChunks } from './chunks.js';

/** Worker time one batch of calls should take, once the task's speed is known. */
const TARGET_BATCH_MS = 2;

/** One sizer per task (by its spec object), made at its first batch. */
export class BatchSizes {
  readonly #sizers = new WeakMap<TaskSpec, AdaptiveChunks>();

  /** The sizer of `spec`'s batches: `next()` is the next batch's size, `record()` a batch's time. */
  of(spec: TaskSpec): AdaptiveChunks {
    let sizer = this.#sizers.get(spec);
    if (!sizer) {
      sizer = new AdaptiveChunks({ first: 1, max: MAX_BATCH, targetMs: TARGET_BATCH_MS });
      this.#sizers.set(spec, sizer);
    }
    return sizer;
  }
}
