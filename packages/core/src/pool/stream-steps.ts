/**
 * Stepping an async input for the stream of map chunks: one `next()` at a time, given up at once
 * when the call is stopped (the input's own promise may never settle), and, for a chunk of
 * automatic size, a pause: when the input has given no item for {@link INPUT_PAUSE_MS} ms (up to
 * twice that), the chunk being filled is sent with the items it has, so their results flow while the input is slow
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
  /** The input's step a paused read left to the next one (in progress, or answered since). */
  #carried: Promise<IteratorResult<unknown>> | undefined;
  /** Whether the input's latest step is in progress: the input has not answered it. */
  #inFlight = false;
  /** Rejects the read being awaited (a no-op once it has settled). */
  #cancel: ((error: unknown) => void) | undefined;
  /** Ends the pausable read being awaited with {@link PAUSED}. */
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
      this.#cancel = reject;
      let step = this.#carried;
      this.#carried = undefined;
      this.#pause = undefined;
      if (step === undefined) {
        this.#waits?.add(this.#stop);
        // Stopped at once (the pool was terminated already): the input is not read further.
        if (this.#stopped()) return;
        // `for await` awaits whatever next() returns, a plain value too.
        step = Promise.resolve(this.#it.next());
        this.#inFlight = true;
        step.then(this.#answered, this.#answered);
      }
      if (pausable) {
        const carried = step;
        this.#pause = () => {
          this.#pause = undefined;
          this.#carried = carried;
          resolve(PAUSED);
        };
      }
      step.then(resolve, reject);
    });
  }

  readonly #answered = (): void => {
    this.#inFlight = false;
    this.#waits?.delete(this.#stop);
  };
}

/**
 * Watches the filling of one chunk of automatic size: {@link item} after each item read; once the
 * input has given no item for `ms` (`ms` to `2 ms` after the last one: one timer a chunk, set again
 * only while items come), `onPause`.
 */
export class ChunkPause {
  readonly #ms: number;
  readonly #onPause: () => void;
  #items = 0;
  #seen = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(onPause: () => void, ms = INPUT_PAUSE_MS) {
    this.#onPause = onPause;
    this.#ms = ms;
  }

  item(): void {
    this.#items++;
    this.#timer ??= setTimeout(this.#check, this.#ms);
  }

  end(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  readonly #check = (): void => {
    if (this.#items !== this.#seen) {
      this.#seen = this.#items;
      this.#timer = setTimeout(this.#check, this.#ms);
      return;
    }
    this.#timer = undefined;
    this.#onPause();
  };
}
