/**
 * What a queue or pipe copy asks its home for (R_DEMAND, sent by its receiver, receiver.ts): hard
 * demand, one item for each waiting get, and soft demand, to read ahead as far as its window
 * allows. A copy reads ahead while its consumer keeps asking within {@link STREAM_GAP_MS} of its
 * last item, doubling its window up to {@link MAX_WINDOW}; a consumer that pauses longer (a job per
 * item) reads nothing ahead. Recalled (another consumer waited behind what it read ahead), it reads
 * nothing ahead for a calm period, then at most {@link SHARED_WINDOW}. A pipe end reads everything
 * ({@link EAGER_WINDOW}). Both counts of what was asked for and is not here yet are loose until a
 * recall settles them (see receiver.ts).
 */

/** A consumer that asks again within this many ms of its last item is streaming: it reads ahead. */
export const STREAM_GAP_MS = 2;
/**
 * The most items a streaming copy reads ahead. It must cover what its consumer takes while a
 * demand goes to the home and back, and a producer's GC pause or a lost time slice lengthens that
 * trip to milliseconds: with 1024, a consumer that outpaced its producer still ran dry, and a busy
 * producer kept 98% of its puts waiting at home (up to 90k items, promoted by its GC). The home
 * also bounds what a copy holds in bytes (`MAX_AHEAD_BYTES`, read-ahead.ts).
 */
export const MAX_WINDOW = 16 * 1024;
/**
 * The most items a copy reads ahead once it has been recalled (it shares the queue with other
 * consumers): what it holds comes back at each recall, so a big window there means items sent
 * twice (2 producers x 2 consumers, 20k items: 1.5x the sends with 16k, as many as items with this).
 */
export const SHARED_WINDOW = 1024;
/**
 * A copy recalled (another consumer waited behind what it read ahead) reads nothing ahead for this
 * long (ms); recalled again soon after, twice as long, up to {@link MAX_CALM_MS}. Consumers sharing
 * a queue then each ask for one item per get, instead of reading items ahead that the home must
 * recall for the other one: a round trip per item in turns.
 */
export const FIRST_CALM_MS = 20;
export const MAX_CALM_MS = 1000;
/** A pipe end's window: everything. */
export const EAGER_WINDOW = 1 << 30;

/** One copy's demand: what it asked for and has not received, and its read-ahead window. */
export class Demand {
  readonly #eager: boolean;
  readonly #send: (hard: number, soft: number) => void;
  /** Items asked for waiting gets, and to read ahead, not arrived yet. */
  #hardOut = 0;
  #softOut = 0;
  // The only reader of its channel (a pipe end, told by the home): its gets need no demand.
  #alone = false;
  // A poll() or wait() watches this pipe end (see waiters()).
  #watched = false;
  #window = 0;
  #lastItemAt = Number.NEGATIVE_INFINITY;
  // Read-ahead is off until then (recalled: other consumers share the channel); see FIRST_CALM_MS.
  #calmUntil = Number.NEGATIVE_INFINITY;
  #calmMs = 0;
  // A get took an item waiting here since the last get that had to wait: the consumer keeps up.
  #fromBuffer = false;

  /** `send` sends an R_DEMAND of `hard` and `soft` items. */
  constructor(eager: boolean, send: (hard: number, soft: number) => void) {
    this.#eager = eager;
    this.#send = send;
    if (eager) this.#window = EAGER_WINDOW;
  }

  /** @internal For traces. */
  get debugState(): string {
    return `hardOut=${this.#hardOut} softOut=${this.#softOut}`;
  }

  /** Items asked for waiting gets and not arrived yet. */
  get hardOut(): number {
    return this.#hardOut;
  }

  /** Items asked for and not arrived yet. */
  get outstanding(): number {
    return this.#hardOut + this.#softOut;
  }

  /** The home says whether this copy is the only reader of its channel (pipe ends only). */
  set alone(on: boolean) {
    this.#alone = on && this.#eager;
  }

  get alone(): boolean {
    return this.#alone;
  }

  /** Asks for what `getters` waiting gets and the window need beyond what is asked and `held` here. */
  ask(getters: number, held: number): void {
    getters = this.waiters(getters, held);
    const covered = this.#alone ? this.#hardOut + this.#softOut : this.#hardOut;
    const hard = Math.max(0, getters - covered);
    const window = this.#window;
    let soft = window - this.#softOut - held;
    // Ask for read-ahead in chunks of at least half a window: few demand frames per stream.
    if (soft * 2 < window || soft < 0) soft = 0;
    if (hard === 0 && soft === 0) return;
    this.#hardOut += hard;
    this.#softOut += soft;
    this.#send(hard, soft);
  }

  /**
   * A get took an item already here, `held` being left: whether half the window is used, so the
   * next half should be asked for now (see receiver.ts, refill).
   */
  tookHere(held: number): boolean {
    this.#fromBuffer = true;
    if (this.#window === 0 || this.#eager) return false;
    return (this.#window - this.#softOut - held) * 2 >= this.#window;
  }

  /** An item was handed to a waiting get at `clock` (ms). */
  handedOut(clock: number): void {
    this.#lastItemAt = clock;
  }

  /** An item arrived for a get (`tag` 1) or read ahead (0): one fewer is out. */
  arrived(tag: number): void {
    if (tag === 1) {
      if (this.#hardOut > 0) this.#hardOut--;
      else if (this.#softOut > 0) this.#softOut--;
    } else if (tag === 0) {
      if (this.#softOut > 0) this.#softOut--;
      else if (this.#hardOut > 0) this.#hardOut--;
    }
  }

  /** A get found nothing here at `clock` (ms): the window grows while the consumer streams, else closes. */
  getWaits(clock: number): void {
    if (this.#eager) return;
    const streaming =
      (this.#fromBuffer || clock - this.#lastItemAt <= STREAM_GAP_MS) && clock >= this.#calmUntil;
    const most = this.#calmMs > 0 ? SHARED_WINDOW : MAX_WINDOW;
    this.#window = streaming ? Math.min(most, Math.max(1, this.#window * 2)) : 0;
    this.#fromBuffer = false;
  }

  /** wait() or poll() watches the copy: it reads at least one item ahead. */
  watch(): void {
    if (this.#window === 0) this.#window = 1;
    this.#watched = this.#eager;
  }

  /** No wait() or poll() watches the copy any more; whether one did. */
  unwatch(): boolean {
    const was = this.#watched;
    this.#watched = false;
    return was;
  }

  /**
   * The gets the home should count as waiting here, `held` items being here. A poll() or wait() on
   * a pipe end that shares its channel counts as one: the home recalls what another reader read
   * ahead only for a consumer that waits. A socket's data goes to whoever reads it, not to a copy
   * that read it ahead and is busy elsewhere (a parent's Client() connection while its child polls).
   */
  waiters(getters: number, held: number): number {
    return this.#watched && !this.#alone && getters === 0 && held === 0 ? 1 : getters;
  }

  /**
   * A get gave up, `getters` still waiting: demand beyond them becomes read-ahead (what arrives for
   * it is held like anything read ahead). Returns how many items changed so, for R_SOFTEN; none
   * when the copy is not `open`.
   */
  soften(getters: number, open: boolean): number {
    const n = this.#hardOut - getters;
    if (n <= 0 || !open) return 0;
    this.#hardOut -= n;
    this.#softOut += n;
    return n;
  }

  /** The copy gave back everything (the worker flushes): nothing is out; it reads nothing ahead. */
  gaveBack(): void {
    this.#hardOut = 0;
    this.#softOut = 0;
    if (!this.#eager) this.#window = 0;
  }

  /**
   * The home recalled what the copy read ahead, at `clock` (ms): a calm period begins, and what is
   * out is one item for each of the `getters` waiting (a poll() may count, see waiters()), the rest
   * read-ahead. Returns that count of waiting gets, which the home is told.
   */
  recalled(clock: number, getters: number): number {
    getters = this.waiters(getters, 0);
    if (!this.#eager) {
      this.#window = 0;
      const again = clock - this.#calmUntil < this.#calmMs;
      this.#calmMs = again ? Math.min(MAX_CALM_MS, this.#calmMs * 2) : FIRST_CALM_MS;
      this.#calmUntil = clock + this.#calmMs;
    }
    const out = this.#hardOut + this.#softOut;
    this.#hardOut = Math.min(getters, out);
    this.#softOut = out - this.#hardOut;
    return getters;
  }
}
