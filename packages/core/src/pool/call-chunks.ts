/**
 * How big one map call's next chunk is (stream.ts): `chunksize` when given, else Python's size for
 * an input of known length, else what the pool's sizer learned (chunks.ts), with the ordered window
 * covering this call's longest chunk. `byWorkerTime` sends one item a chunk, no more chunks than
 * workers, until a chunk of this call comes back: what a shared sizer learned from earlier calls
 * says nothing about this call's first items. The first reply then moves the learned size (issue 18,
 * workloads2).
 */
import { AdaptiveChunks, adaptiveSize, coverMs, defaultChunksize } from './chunks.js';
import type { StreamOptions } from './stream-options.js';

type SizeOptions = Pick<
  StreamOptions<unknown>,
  'processes' | 'chunksize' | 'inflight' | 'ordered' | 'keepsAll' | 'byWorkerTime' | 'sizer'
>;

export class CallChunks {
  /** The size of every chunk when it does not depend on worker time. */
  readonly fixed: number | undefined;
  /** Set once sizes are known: fixed, or a chunk of this call came back (either way). */
  measured: boolean;
  readonly #adaptive: AdaptiveChunks;
  readonly #total: number | undefined;
  readonly #options: SizeOptions;
  #longest = 0; // this call's longest chunk so far (worker ms): an ordered window covers it

  /** `total`: the input's length, when known. */
  constructor(total: number | undefined, options: SizeOptions) {
    const python = total === undefined ? undefined : defaultChunksize(total, options.processes);
    this.fixed = options.chunksize ?? (options.byWorkerTime ? undefined : python);
    this.measured = this.fixed !== undefined || !options.byWorkerTime;
    this.#adaptive = options.sizer ?? new AdaptiveChunks();
    this.#total = total;
    this.#options = options;
  }

  /** The size of the chunk that starts at item `read`. */
  next(read: number): number {
    if (this.fixed !== undefined) return this.fixed;
    if (!this.measured) return 1;
    const { ordered, keepsAll, processes, inflight } = this.#options;
    const cover = ordered && !keepsAll ? coverMs(this.#longest, processes, inflight) : 0;
    return adaptiveSize(this.#adaptive, this.#total, read, processes, cover);
  }

  /** How many chunks may be out at once. */
  get inflight(): number {
    const { inflight, processes } = this.#options;
    return this.measured ? inflight : Math.min(inflight, processes);
  }

  /** A chunk of `count` items took `ms` of worker time; `probe`: it was sent before any came back. */
  learn(ms: number, count: number, probe: boolean): void {
    if (ms > this.#longest) this.#longest = ms;
    if (probe && count === 1) this.#adaptive.probe(ms);
    else this.#adaptive.record(count, ms);
  }
}
