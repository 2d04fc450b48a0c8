/**
 * Stepping an async input for the stream of map chunks: one `next()` at a time, given up at once
 * when the call is stopped (the input's own promise may never settle), and, for a chunk of
 * automatic size, a pause: when the input has not answered for {@link INPUT_PAUSE_MS} ms, the
 * chunk being filled is sent with the items it has, so their results flow while the input is slow
 * or has stopped yielding. The step in progress then begins the next chunk.
 */
import type { InputWaits, StopStream } from './stream-input.js';

/** What {@link AsyncSteps.next} answers when the chunk being filled was paused. */
export const PAUSED: unique symbol = Symbol('paused');

/**
 * How long an input may take to answer before the items of an automatic chunk read so far are sent
 * (ms). Far above the time an in-memory generator or a buffered stream takes between items, and
 * short beside a slow one's (a socket, a database cursor, a user's timer).
 */
export const INPUT_PAUSE_MS = 20;

export class AsyncSteps {
  readonly #it: AsyncIterator<unknown>;
  readonly #waits: InputWaits | undefined;
  readonly #stop: StopStream;
  readonly #stopped: () => boolean;
  /** The input's step in progress, or answered and not taken yet (a paused chunk left it to the next). */
  #step: Promise<IteratorResult<unknown>> | undefined;
  /** Whether that step is in progress: the input has not answered it. */
  #inFlight = false;
  /** Ends the read being awaited: with an error (the call stopped), or paused. */
  #cancel: ((error: unknown) => void) | undefined;
  #pause: (() => void) | undefined;

  /**
   * @param stop - the stream's interrupt, registered in `waits` while a step is in progress.
   * @param stopped - whether the stream was stopped (then a step reads nothing).
   */
  constructor(
    it: AsyncIterator<unknown>,
    waits: InputWaits | undefined,
    stop: StopStream,
    stopped: () => boolean,
  ) {
    this.#it = it;
    this.#waits = waits;
    this.#stop = stop;
    this.#stopped = stopped;
  }

  /** Whether a step is in progress: its input has not answered. */
  get pending(): boolean {
    return this.#inFlight;
  }

  /** Gives up the read being awaited with `error` (the input's step may never settle). */
  cancel(error: unknown): void {
    this.#cancel?.(error);
  }

  /** Ends the pausable {@link next} being awaited with {@link PAUSED}. */
  pause(): void {
    this.#pause?.();
  }

  /**
   * The next step of the input; with `pausable`, {@link PAUSED} once {@link pause} came first (the
   * step goes on, and the next call answers it).
   */
  next(pausable = false): Promise<IteratorResult<unknown> | typeof PAUSED> {
    return new Promise((resolve, reject) => {
      let over = false;
      const end = (): boolean => {
        if (over) return false;
        over = true;
        this.#cancel = undefined;
        this.#pause = undefined;
        return true;
      };
      this.#cancel = (error) => end() && reject(error);
      if (pausable) this.#pause = () => end() && resolve(PAUSED);
      let step = this.#step;
      if (step === undefined) {
        this.#waits?.add(this.#stop);
        // Stopped at once (the pool was terminated already): the input is not read further.
        if (this.#stopped()) return;
        // `for await` awaits whatever next() returns, a plain value too.
        step = this.#step = Promise.resolve(this.#it.next());
        this.#inFlight = true;
        step.then(this.#answered, this.#answered);
      }
      step.then(
        (result) => {
          if (!end()) return;
          this.#step = undefined;
          resolve(result);
        },
        (error: unknown) => {
          if (!end()) return;
          this.#step = undefined;
          reject(error);
        },
      );
    });
  }

  readonly #answered = (): void => {
    this.#inFlight = false;
    this.#waits?.delete(this.#stop);
  };
}

/**
 * Watches the filling of one chunk of automatic size: {@link item} after each item read; once the
 * input has not answered for `ms` since the last one, `onPause` (one timer a chunk, set again only
 * while the input is slower than `ms`).
 */
export class ChunkPause {
  readonly #ms: number;
  readonly #onPause: () => void;
  #last = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(onPause: () => void, ms = INPUT_PAUSE_MS) {
    this.#onPause = onPause;
    this.#ms = ms;
  }

  item(): void {
    this.#last = performance.now();
    this.#timer ??= setTimeout(this.#check, this.#ms);
  }

  end(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  readonly #check = (): void => {
    const idle = performance.now() - this.#last;
    if (idle < this.#ms) {
      this.#timer = setTimeout(this.#check, this.#ms - idle);
      return;
    }
    this.#timer = undefined;
    this.#onPause();
  };
}
