/**
 * One chunk of a map call (`map-call.ts`): how the dispatcher holds and sends it, what its reply
 * holds, and how the consumer reads that reply.
 */
import { decodeJson, encodeUnsent, loadPending, type PendingLoad } from '@multiproc/shared';
import { isMain } from '../identity.js';
import type { Job, JobReply, MapJob, MapReply, TaskSpec } from '../internal/batch.js';
import { proxyPath, refusedAt, UNSENDABLE_ADVICE } from '../internal/clone-refusal.js';
import { decodeValue, thrownOrError } from '../internal/error-record.js';
import { movedAwayMeanwhile } from '../move.js';
import type { ContextName } from '../options.js';
import type { Float64Buffers } from './buffers.js';
import { NO_REPLY, sentInHalves, splits } from './chunk-halves.js';
import { type PreparedChunk, prepareChunk, unsendableNamedField } from './chunks.js';
import type { Entry, Held } from './dispatcher.js';
import type { ChunkKeeps, ItemKeeps } from './item-keeps.js';
import type { CallOrder } from './job-order.js';
import type { CallerMessages } from './messages.js';
import type { ChunkResults } from './stream.js';
import type { CallHold } from './util.js';

/**
 * A chunk's reply: `rest`, when its items after a failed one were sent again (`ChunkCall.resend`),
 * is their reply, or what that failed with. A chunk whose worker died has an empty `reply` and its
 * results in `parts`, in input order: its other items sent again, and the crashed one's error.
 */
export interface ChunkReply {
  readonly reply: MapReply;
  readonly base: number;
  readonly rest?: Part | undefined;
  readonly parts?: readonly Part[];
  readonly ms?: number | undefined;
}

/** What a part of a chunk sent again failed with as a whole (its call ended...), or a crashed item's error. */
type Failed = { readonly failure: unknown };
export type Part = ChunkReply | Failed;

/** How many results a chunk's reply holds (those sent again included). */
export function countResults(chunk: ChunkReply): number {
  const { reply, rest, parts } = chunk;
  let n = (reply.count ?? reply.values.length) + partCount(rest);
  if (parts) for (const part of parts) n += partCount(part);
  return n;
}

function partCount(part: Part | undefined): number {
  return part === undefined || 'failure' in part ? 0 : countResults(part);
}

/**
 * A chunk's results, in input order, as the consumer reads them: once the modules of the task
 * references among them are imported (in a worker: Python's unpickling imports a function's
 * module; shared's decode-loads.ts), so the consumer can call them; a module that cannot be
 * imported fails the call with the loader's `ProcessError`. The references in a task error's fields
 * are loaded too, but the error stays the call's failure if one cannot be. Synchronous when nothing
 * loads.
 */
export function readLoaded(chunk: ChunkReply, context: ContextName): ChunkResults | Promise<ChunkResults> {
  if (isMain()) return readChunk(chunk, context); // the main thread imports none (task.ts): no list
  const loads: PendingLoad[] = [];
  const errorLoads: PendingLoad[] = [];
  const results = readChunk(chunk, context, undefined, loads, errorLoads);
  const loading = loadPending(loads);
  const errorsLoading = loadPending(errorLoads)?.catch(() => {});
  if (!loading && !errorsLoading) return results;
  return Promise.all([loading, errorsLoading]).then(() => results);
}

/**
 * A chunk's results, in input order, then `then` (what comes after them); `loads` collects the loads
 * of the results, `errorLoads` those of a task error's fields.
 */
export function readChunk(
  chunk: ChunkReply,
  context: ContextName,
  then?: ChunkResults,
  loads?: PendingLoad[],
  errorLoads?: PendingLoad[],
): ChunkResults {
  const { reply, base, rest, parts } = chunk;
  if (parts) {
    let out = then;
    for (let i = parts.length - 1; i >= 0; i--) out = readPart(parts[i], context, out, loads, errorLoads);
    return out ?? { values: [] };
  }
  const values = reply.json
    ? (decodeJson(reply.json) as unknown[])
    : reply.encoded
      ? // The worker encodes each result as a value of its own (map-run.ts): decode each so.
        (reply.values as unknown[]).map((v) => decodeValue(v, context, loads))
      : reply.values;
  if (!reply.error) return then === undefined ? { values } : { values, more: then };
  const error = withTaskIndex(thrownOrError(reply.error, context, errorLoads), base + values.length);
  return { values, error, more: readPart(rest, context, then, loads, errorLoads) };
}

function readPart(
  part: Part | undefined,
  context: ContextName,
  then: ChunkResults | undefined,
  loads: PendingLoad[] | undefined,
  errorLoads: PendingLoad[] | undefined,
): ChunkResults | undefined {
  if (part === undefined) return then;
  if ('failure' in part) return { values: [], error: part.failure, more: then };
  return readChunk(part, context, then, loads, errorLoads);
}

/** What the chunks of one map call share. */
export interface ChunkCall {
  readonly spec: TaskSpec;
  readonly star: boolean;
  readonly listener: number | undefined;
  readonly context: ContextName;
  readonly buffers: Float64Buffers | undefined;
  /** The chunks handed to the pool and not settled: an abort stops them all. */
  readonly live: Set<ChunkEntry>;
  /** Its `onMessage`'s failure, once it threw. */
  readonly hold: CallHold;
  readonly messages: CallerMessages;
  /** The items' copies of queues and pipe ends, taken when each was read (item-keeps.ts). */
  readonly keeps: ItemKeeps;
  /** The call's order while its chunks go before later calls' jobs (`job-order.ts`); set at its first chunk. */
  order: CallOrder | undefined;
  /** Sends a failed chunk's items after the failed one again, as a chunk of their own (`imap` without `chunksize`). */
  readonly resend: ((items: unknown[] | Float64Array, base: number) => Promise<ChunkReply>) | undefined;
}

/**
 * One chunk of a map call as the dispatcher holds it. A class rather than an object of closures:
 * a chunk lives until its results are read, through several scavenges of an `imap` loop, so every
 * object it holds is copied and promoted once per chunk (issue 18).
 */
export class ChunkEntry implements Entry {
  readonly spec: TaskSpec;
  readonly batchable = false;
  readonly taskIndex: number;
  readonly group: object;
  readonly items: number;
  held: Held | undefined = undefined;
  order: CallOrder | undefined;
  settled = false;
  readonly #call: ChunkCall;
  readonly #items: unknown[] | Float64Array;
  readonly #chunk: PreparedChunk;
  /** Its items' shared memory has left this thread: see `Entry.sent`. */
  readonly sent: () => void;
  // Its items' copies, given up when it settles.
  #keeps: ChunkKeeps;
  readonly #resolve: (reply: ChunkReply) => void;
  readonly #reject: (error: unknown) => void;
  // Set once structured clone refused it (`unsent`): the rejection that follows splits it instead.
  #unsent = false;

  constructor(
    call: ChunkCall,
    items: unknown[] | Float64Array,
    base: number,
    resolve: (reply: ChunkReply) => void,
    reject: (error: unknown) => void,
  ) {
    this.spec = call.spec;
    this.taskIndex = base;
    this.group = call;
    this.order = call.order;
    this.items = items.length;
    this.#call = call;
    this.#items = items;
    const keeps = items instanceof Float64Array ? undefined : call.keeps.claim(base, items.length);
    this.#keeps = keeps;
    try {
      ({ value: this.#chunk, sent: this.sent } = encodeUnsent(() =>
        prepareChunk(items, call.context, call.star, call.buffers, base, keeps),
      ));
    } catch (error) {
      // It never goes out; its items keep their copies when its halves go instead (`splits`).
      call.keeps.settled(keeps, base, splits(call, items) ? 0 : undefined);
      throw error;
    }
    this.#resolve = resolve;
    this.#reject = reject;
  }

  build(): { job: Job; transfer: object[] } {
    const packed = this.#chunk.pack();
    // An item's memory another call move()d while this chunk waited cannot be sent (Node 20 posted
    // what the worker could not read). Checked only for a transfer list that holds such a buffer.
    const gone = movedAwayMeanwhile(packed.transfer, this.#items, (i) => `items[${this.taskIndex + i}]`);
    if (gone) throw gone;
    const { listener, star } = this.#call;
    const job: MapJob = {
      kind: 'map',
      task: 0,
      listener,
      items: packed.items,
      star,
      base: this.taskIndex,
      encoded: packed.encoded,
    };
    return { job, transfer: packed.transfer };
  }

  resolve(reply: JobReply): void {
    const rest = this.#restAfter(reply as MapReply);
    // Released below: the rest's items are copied out first (and keep their copies).
    this.#release(rest === undefined ? undefined : rest.base - this.taskIndex);
    const { listener, context, messages } = this.#call;
    // A thread's messages travel on another channel than its reply (which told the pool how many
    // it sent): the chunk settles once they have reached onMessage, as an apply call does.
    // A child's came first, and one may wait for its task reference's module (messages.ts).
    const pending =
      listener === undefined
        ? undefined
        : context === 'thread'
          ? messages.drained(listener)
          : messages.caughtUp(listener);
    if (pending) void pending.then(() => this.#settle(reply as MapReply, rest));
    else this.#settle(reply as MapReply, rest);
  }

  /** The items after a failed one, to send again (`ChunkCall.resend`), and the input position of the first. */
  #restAfter(reply: MapReply): { items: unknown[] | Float64Array; base: number } | undefined {
    if (!reply.error || !this.#call.resend) return undefined;
    const from = (reply.count ?? reply.values.length) + 1;
    if (from >= this.#items.length) return undefined;
    return { items: this.#items.slice(from), base: this.taskIndex + from };
  }

  #settle(reply: MapReply, rest: { items: unknown[] | Float64Array; base: number } | undefined): void {
    const failure = this.#call.hold.failure;
    const base = this.taskIndex;
    if (failure) this.#reject(failure.error);
    else if (!rest) this.#resolve({ reply, base, ms: reply.ms });
    else this.#resend(reply, rest);
  }

  #resend(reply: MapReply, rest: { items: unknown[] | Float64Array; base: number }): void {
    const base = this.taskIndex;
    // The chunk's reply waits for the rest's: it stays one chunk of the call (its place in the
    // input order, its share of `inflight`), and an early exit cancels the rest with the call's
    // other live chunks.
    this.#call.resend!(rest.items, rest.base).then(
      (more) => this.#resolve({ reply, base, rest: more, ms: sumMs(reply.ms, more.ms) }),
      (failure: unknown) => this.#resolve({ reply, base, rest: { failure }, ms: reply.ms }),
    );
  }

  get goesInParts(): boolean {
    return this.#unsent && splits(this.#call, this.#items) && !this.#call.hold.failure;
  }

  reject(error: unknown): void {
    if (this.#unsent && splits(this.#call, this.#items)) {
      // Structured clone refused it (`unsent`): its halves go instead, so only what cannot be sent fails.
      const items = this.#items;
      this.#release(0);
      const failure = this.#call.hold.failure;
      if (failure) this.#reject(failure.error);
      else void sentInHalves(this.#call, items, this.taskIndex).then(this.#resolve);
      return;
    }
    this.#release();
    this.#reject(error);
  }

  /** See `Entry.drop`: its items' copies made for a worker that will not decode them go back. */
  drop(): void {
    this.sent();
    this.#chunk.drop?.();
  }

  /**
   * Its call gave it up (`Dispatcher.cancel`: an `imap` whose consumer left, a `map` another chunk
   * of which failed): settled without a reply, it is never posted again, so the copies its items
   * took at the call (item-keeps.ts) go back now; before, they held each pipe end open (its other
   * end never saw EOF) and each queue's home until the program ended.
   */
  givenUp(): void {
    this.#call.live.delete(this);
    this.#call.keeps.settled(this.#keeps, this.taskIndex);
    this.#keeps = undefined;
  }

  /** See `Entry.holderEnded`: its items' copies count as closed now, before it settles. */
  holderEnded(): void {
    this.#chunk.ended?.();
  }

  /**
   * Its worker died running item `item` (`exact`; else at or after it: a child process killed
   * outright tells nothing more). With `resend` (no `chunksize`) only that item fails: the others
   * go again, those after it (never started) and those before it (they ran, but their results
   * died with the worker: they run a second time). When the item is not known, the items from
   * `item` on go again one a chunk: one that kills its worker again then fails alone. Without
   * `resend` the chunk fails whole, as one task.
   */
  crashed(error: unknown, item: number, exact: boolean): void {
    // A thread that died sent no count of its messages: those it posted before go first.
    if (this.#call.listener !== undefined) {
      void this.#call.messages.flushed().then(() => this.#crashedNow(error, item, exact));
    } else this.#crashedNow(error, item, exact);
  }

  #crashedNow(error: unknown, item: number, exact: boolean): void {
    const call = this.#call;
    if (!call.resend) {
      this.reject(error);
      return;
    }
    const all = this.#items;
    const n = all.length;
    const at = Math.min(Math.max(item, 0), n - 1);
    const known = exact || at === n - 1;
    const base = this.taskIndex;
    // [from, to) of the chunk, sent again (sliced before #release gives a buffer back).
    const spans: [number, number][] = [];
    if (at > 0) spans.push([0, at]);
    if (known && at + 1 < n) spans.push([at + 1, n]);
    if (!known) for (let i = at; i < n; i++) spans.push([i, i + 1]);
    const slices = spans.map(([from, to]) => all.slice(from, to));
    this.#release(0, known ? at : -1);
    const failure = call.hold.failure;
    if (failure) {
      this.#reject(failure.error);
      return;
    }
    const parts = spans.map(([from], i) =>
      call.resend!(slices[i]!, base + from).then(
        (reply): Part => reply,
        (failure: unknown): Part => ({ failure }),
      ),
    );
    if (known) parts.splice(at > 0 ? 1 : 0, 0, Promise.resolve({ failure: error }));
    void Promise.all(parts).then((done) => this.#resolve({ reply: NO_REPLY, base, parts: done }));
  }

  /** Names the item structured clone refused (`items[5].cb`, `items[5][0]`): never `args`. */
  unsent(error: unknown): Error | undefined {
    this.#unsent = true;
    if (this.#items instanceof Float64Array) return undefined;
    const items = this.#items;
    const base = this.taskIndex;
    const named = unsendableNamedField(items, this.#call.context, base);
    if (named) return named;
    for (let i = 0; i < items.length; i++) {
      if (proxyPath(items[i], 'item') !== undefined)
        return refusedAt(items[i], `items[${base + i}]`, error, UNSENDABLE_ADVICE);
    }
    return refusedAt(
      undefined,
      items.length === 1 ? `items[${base}]` : `items[${base}..${base + items.length - 1}]`,
      error,
      UNSENDABLE_ADVICE,
    );
  }

  /**
   * Settled: the chunk is never sent again, so its items go back to the call's buffers and their
   * copies are given up (but those of the items from `restFrom` on, but `skip`, sent again).
   */
  #release(restFrom?: number, skip?: number): void {
    this.#call.live.delete(this);
    this.#call.keeps.settled(this.#keeps, this.taskIndex, restFrom, skip);
    this.#keeps = undefined;
    if (this.#items instanceof Float64Array) this.#call.buffers?.give(this.#items);
  }
}

function sumMs(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined ? undefined : a + b;
}

/**
 * Marks the error a failed item threw with its position in the input (`taskIndex`, as on
 * `WorkerCrashedError`), unless the error already has one or cannot take it.
 */
function withTaskIndex(error: unknown, index: number): unknown {
  // A thrown non-Error value is delivered as it is, without a field added.
  if (error instanceof Error && !('taskIndex' in error) && Object.isExtensible(error))
    (error as { taskIndex?: number }).taskIndex = index;
  return error;
}
