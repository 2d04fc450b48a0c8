/**
 * The control block of a thread worker slot: one SharedArrayBuffer per worker thread, made by the
 * host and reused for every batch that worker runs. It is how the host knows, even after the
 * thread died, which call of a batch was running, which had finished (and their results), and how
 * it takes back calls the worker has not started.
 *
 *   Int32 words (byte 0)
 *   ┌───────┬──────┬────────┬───────┬──────┬──────────────┬───────────┬─────────────┐
 *   │ CLAIM │ ITEM │ CANCEL │ PHASE │ TEXT │ SIDE_RUNNING │ SIDE_ITEM │ SIDE_CANCEL │   CLAIM = end << 16 | cursor
 *   └───────┴──────┴────────┴───────┴──────┴──────────────┴───────────┴─────────────┘
 *   tags   Int32[MAX_BATCH]    per job: how its reply was committed (NONE until it finished)
 *   sizes  Int32[MAX_BATCH]    byte length of a string reply
 *   nums   Float64[MAX_BATCH]  number replies
 *   text   Uint8[TEXT_BYTES]   string replies, one after another in job order
 *
 * Claims: jobs [0, cursor) were claimed by the worker, which claims the next job with one CAS that
 * also checks cursor < end; jobs [end, n) belong to the host. The host takes jobs back by lowering
 * `end` with a CAS on the same word, so a job is either started by the worker or taken back by the
 * host, never both. A claimed job whose tag is still NONE was running when the worker died.
 *
 * Replies: a number, a well-formed string that fits, true, false, null or undefined is written
 * here (tag last); anything else is posted on the slot's port (tag POSTED), before the next claim.
 */
import { type CallReply, MAX_BATCH } from './batch.js';

const CLAIM = 0;
const ITEM = 1;
const CANCEL = 2;
const PHASE = 3;
const TEXT = 4;
/** Words of the side lane (`pool/side-lane.ts`): the seq of the side chunk running, its item, a seq to stop. */
export const SIDE_RUNNING = 5;
export const SIDE_ITEM = 6;
export const SIDE_CANCEL = 7;
const HEADER_BYTES = 32;
const TEXT_BYTES = 64 * 1024;
const TAGS_AT = HEADER_BYTES;
const SIZES_AT = TAGS_AT + 4 * MAX_BATCH;
const NUMS_AT = SIZES_AT + 4 * MAX_BATCH;
const TEXT_AT = NUMS_AT + 8 * MAX_BATCH;
/** The size of one slot's control block. */
export const CONTROL_BYTES = TEXT_AT + TEXT_BYTES;

/** Where a worker is in its batch. */
export const Phase = { IDLE: 0, INIT: 1, JOBS: 2, LOAD: 3 } as const;
/** The bits of the PHASE word that hold the phase; above them, a LOAD's task index. */
const PHASE_BITS = 0xf;

const Tag = { NONE: 0, NUMBER: 1, STRING: 2, TRUE: 3, FALSE: 4, NULL: 5, UNDEFINED: 6, POSTED: 7 } as const;

const encoder = new TextEncoder();

/** Typed views over one control block. */
export class Control {
  readonly words: Int32Array;
  readonly tags: Int32Array;
  readonly sizes: Int32Array;
  readonly nums: Float64Array;
  readonly text: Uint8Array;
  readonly buffer: SharedArrayBuffer;

  constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer;
    this.words = new Int32Array(buffer, 0, HEADER_BYTES / 4);
    this.tags = new Int32Array(buffer, TAGS_AT, MAX_BATCH);
    this.sizes = new Int32Array(buffer, SIZES_AT, MAX_BATCH);
    this.nums = new Float64Array(buffer, NUMS_AT, MAX_BATCH);
    this.text = new Uint8Array(buffer, TEXT_AT, TEXT_BYTES);
  }

  static create(): Control {
    return new Control(new SharedArrayBuffer(CONTROL_BYTES));
  }

  // ---- host side ----

  /** Prepares the block for a batch of `jobs` jobs (the worker has not received it yet). */
  reset(jobs: number, cancelled: boolean): void {
    const w = this.words;
    Atomics.store(w, CLAIM, cancelled ? 0 : jobs << 16);
    Atomics.store(w, ITEM, 0);
    Atomics.store(w, CANCEL, cancelled ? 1 : 0);
    Atomics.store(w, PHASE, Phase.IDLE);
    Atomics.store(w, TEXT, 0);
    this.tags.fill(Tag.NONE, 0, jobs);
  }

  /** Jobs the worker has claimed so far. */
  claimed(): number {
    return Atomics.load(this.words, CLAIM) & 0xffff;
  }

  /** The phase; a LOAD word also holds which task's module loads (`setLoading`). */
  phase(): number {
    return Atomics.load(this.words, PHASE) & PHASE_BITS;
  }

  /** The index in `Batch.tasks` of the task whose module the worker imports now, or -1. */
  loadingTask(): number {
    const word = Atomics.load(this.words, PHASE);
    return (word & PHASE_BITS) === Phase.LOAD ? word >>> 4 : -1;
  }

  /** The item of the map chunk the worker reached. */
  item(): number {
    return Atomics.load(this.words, ITEM);
  }

  /** Asks the worker to stop its map chunk at the next item, and to claim nothing more. */
  cancel(): void {
    Atomics.store(this.words, CANCEL, 1);
    this.takeBack(Number.POSITIVE_INFINITY);
  }

  /**
   * Takes back up to `count` unclaimed jobs from the end of the batch; returns the first index
   * taken back (jobs from there to the old end are the host's now), or -1 when none were left.
   */
  takeBack(count: number): number {
    for (;;) {
      const word = Atomics.load(this.words, CLAIM);
      const cursor = word & 0xffff;
      const end = word >>> 16;
      if (end <= cursor) return -1;
      const from = Math.max(cursor, end - count);
      if (Atomics.compareExchange(this.words, CLAIM, word, (from << 16) | cursor) === word) return from;
    }
  }

  /**
   * Job `job`'s committed reply, read in job order (`at` is where its string starts in `text`);
   * `posted` when it was posted on the port, undefined when it never finished.
   */
  read(job: number, at: { offset: number }): CallReply | 'posted' | undefined {
    const tag = Atomics.load(this.tags, job);
    switch (tag) {
      case Tag.NONE:
        return undefined;
      case Tag.POSTED:
        return 'posted';
      case Tag.NUMBER:
        return { ok: true, value: this.nums[job], encoded: false };
      case Tag.STRING: {
        const size = this.sizes[job]!;
        const value = Buffer.from(this.text.buffer, TEXT_AT + at.offset, size).toString('utf8');
        at.offset += size;
        return { ok: true, value, encoded: false };
      }
      default:
        return { ok: true, value: PRIMITIVES[tag], encoded: false };
    }
  }

  /** Whether job `job` (claimed) has finished: its reply is committed here or on the port. */
  committed(job: number): boolean {
    return Atomics.load(this.tags, job) !== Tag.NONE;
  }

  /** Whether job `job`'s reply was posted on the port. */
  isPosted(job: number): boolean {
    return Atomics.load(this.tags, job) === Tag.POSTED;
  }

  // ---- worker side ----

  /** Claims the next job; -1 when the batch has none left for this worker. */
  claim(): number {
    for (;;) {
      const word = Atomics.load(this.words, CLAIM);
      const cursor = word & 0xffff;
      if (cursor >= word >>> 16) return -1;
      if (Atomics.compareExchange(this.words, CLAIM, word, word + 1) === word) return cursor;
    }
  }

  /** Claims nothing more (maxTasksPerChild reached): the unclaimed jobs go back to the host. */
  close(): void {
    for (;;) {
      const word = Atomics.load(this.words, CLAIM);
      const cursor = word & 0xffff;
      if (Atomics.compareExchange(this.words, CLAIM, word, (cursor << 16) | cursor) === word) return;
    }
  }

  setPhase(phase: number): void {
    Atomics.store(this.words, PHASE, phase);
  }

  /** The LOAD phase, importing the module of the batch's task `task` (an index in `Batch.tasks`). */
  setLoading(task: number): void {
    Atomics.store(this.words, PHASE, (task << 4) | Phase.LOAD);
  }

  // The map loop's two per-item accesses are plain, not Atomics: an Atomics call per item halved
  // the throughput of a trivial map. ITEM is read only after the thread is gone (its exit orders
  // it), and a CANCEL read late only lets the chunk run one more item.
  setItem(item: number): void {
    this.words[ITEM] = item;
  }

  cancelled(): boolean {
    return this.words[CANCEL] !== 0;
  }

  /** Commits a reply that fits the block; false when it must be posted instead. */
  write(job: number, reply: CallReply): boolean {
    // A reply that counts messages (`sent`) is posted: the shared slots hold only the value.
    if (!reply.ok || reply.encoded || reply.json || reply.sent) return false;
    const value = reply.value;
    let tag: number;
    switch (typeof value) {
      case 'number':
        this.nums[job] = value;
        tag = Tag.NUMBER;
        break;
      case 'string': {
        const used = Atomics.load(this.words, TEXT);
        if (value.length > TEXT_BYTES - used || !isWellFormed(value)) return false;
        const { read, written } = encoder.encodeInto(value, this.text.subarray(used));
        if (read < value.length) return false;
        this.sizes[job] = written;
        Atomics.store(this.words, TEXT, used + written);
        tag = Tag.STRING;
        break;
      }
      case 'boolean':
        tag = value ? Tag.TRUE : Tag.FALSE;
        break;
      case 'undefined':
        tag = Tag.UNDEFINED;
        break;
      default:
        if (value !== null) return false;
        tag = Tag.NULL;
    }
    Atomics.store(this.tags, job, tag);
    return true;
  }

  /** Marks a reply as posted on the port (after posting it). */
  posted(job: number): void {
    Atomics.store(this.tags, job, Tag.POSTED);
  }
}

// Lone surrogates would not survive UTF-8; such strings are posted (structured clone keeps them).
const isWellFormed = (s: string): boolean => (s as unknown as { isWellFormed(): boolean }).isWellFormed();

const PRIMITIVES: Record<number, unknown> = {
  [Tag.TRUE]: true,
  [Tag.FALSE]: false,
  [Tag.NULL]: null,
  [Tag.UNDEFINED]: undefined,
};
