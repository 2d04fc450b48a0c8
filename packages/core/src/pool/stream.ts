/**
 * The engine behind `map`, `starmap`, `imap` and `imapUnordered`, of this pool and of
 * `@multiproc/bullmq`'s (through `@multiproc/core/internal`): reads the input lazily, cuts it into
 * chunks, keeps at most `inflight` chunks submitted ahead of the consumer, and yields results in
 * input order (or completion order). Leaving the loop early stops reading the input and cancels
 * the chunks still out. What a chunk is sent as, and what its reply holds, is the caller's.
 */
import { CallChunks } from './call-chunks.js';
import { knownLength } from './chunks.js';
import { arrayRead, ChunkFill, closeInputAtEnd, closeLeftInput, iteratorOf } from './stream-input.js';
import type { ChunkResults, Pending, StreamOptions, SubmitChunk } from './stream-options.js';
import { ItemFailure } from './stream-options.js';
import { AsyncSteps, ChunkPause, PAUSED } from './stream-steps.js';
import { asksAt, nextTurn, turnSpent } from './turns.js';

export { closeUnstarted, InputWaits, type StopStream } from './stream-input.js';
export { type ChunkResults, ItemFailure, type StreamOptions, type SubmitChunk } from './stream-options.js';

/**
 * Yields the results of `source` mapped through the pool, one chunk (an array-like of results) at
 * a time: callers flatten them, which costs one async step per chunk instead of one per item.
 * With `itemFailure`, also the {@link ItemFailure}s the call goes on after.
 */
export function streamChunks<
  H,
  R extends { readonly ms?: number | undefined },
  I extends unknown[] | Float64Array = unknown[],
>(
  source: Iterable<unknown> | AsyncIterable<unknown>,
  submit: SubmitChunk<H, R, I>,
  cancel: (handles: H[]) => void,
  options: StreamOptions<R> & { itemFailure?: undefined },
): AsyncGenerator<ArrayLike<unknown>, void, undefined>;
export function streamChunks<
  H,
  R extends { readonly ms?: number | undefined },
  I extends unknown[] | Float64Array = unknown[],
>(
  source: Iterable<unknown> | AsyncIterable<unknown>,
  submit: SubmitChunk<H, R, I>,
  cancel: (handles: H[]) => void,
  options: StreamOptions<R>,
): AsyncGenerator<ArrayLike<unknown> | ItemFailure, void, undefined>;
export async function* streamChunks<
  H,
  R extends { readonly ms?: number | undefined },
  I extends unknown[] | Float64Array = unknown[],
>(
  source: Iterable<unknown> | AsyncIterable<unknown>,
  submit: SubmitChunk<H, R, I>,
  cancel: (handles: H[]) => void,
  options: StreamOptions<R>,
): AsyncGenerator<ArrayLike<unknown> | ItemFailure, void, undefined> {
  // Arrays are sliced, other iterables stepped (awaiting async ones only). Only `array`, `it` and `steps`
  // hold the input, till the stream ends: a V8 optimizing job may hold a settled call's contexts a while,
  // which must not reach it (issue 12, case 9). Assigned at the end, so no job folds them in as constants.
  let array = arrayRead(source);
  let it = array ? undefined : iteratorOf(source);
  const total = knownLength(source);
  const isAsync = typeof (source as AsyncIterable<unknown>)?.[Symbol.asyncIterator] === 'function';
  source = undefined as never; // an ended generator keeps its parameters
  const sizes = new CallChunks(total, options);
  const { fixed } = sizes;
  let ready = 0;
  const pending: Pending<H, R>[] = [];
  let inputDone = false;
  let inputError: { error: unknown } | undefined;
  let read = 0;
  let running = 0;
  let filling: Promise<void> | undefined;
  let stopped = false;
  let wake: (() => void) | undefined;
  // What onProgress threw, once it did: it is not called again, and the consumer gets the error.
  let progressFailure: { error: unknown } | undefined;
  let interrupted: { error: unknown } | undefined; // stopped from outside (StreamOptions.interruptible)
  // Set once its reading was stopped from outside; `unread`: the input was not read to its end.
  let expired: { error: unknown; unread: boolean } | undefined;
  let completions = 0;
  let received = false;
  let ending = false; // set once a chunk failed with an error that ends the call: nothing more is read
  let leftAtFailure = false; // the consumer was handed a failed item and has not asked for more since
  let inputClosed = false; // asked to finish for a consumer that left so (readsOn)
  let failed = false; // the stream ends by throwing: the input's own failure to close is dropped
  let readingAll = false; // set by readsOn's readAll; `allRead` resolves it once nothing more can run
  let allRead: (() => void) | undefined;
  let lastSent = options.onLastSent; // told once no more chunks can be sent (the same moments count)
  const checkAllRead = (): void => {
    if (lastSent && (stopped || inputDone || interrupted || expired || ending)) {
      lastSent();
      lastSent = undefined;
    }
    if (!allRead) return;
    if (!stopped && !((inputDone || interrupted || expired || ending) && running === 0 && !filling)) return;
    allRead();
    allRead = undefined;
  };

  let position = 0;

  // A sync input is read synchronously: a call's first chunk goes in the call's turn (submission order).
  const readChunk = (): I | Promise<I> => {
    const size = sizes.next(read);
    if (array) {
      const items = array.slice(position, position + size);
      position += items.length;
      if (position >= array.length) inputDone = true;
      return items as I;
    }
    const chunk = new ChunkFill<I>(size, options.buffers, read, options.onItem);
    if (isAsync) return readAsyncInto(chunk);
    try {
      if (!chunk.readSync(it as Iterator<unknown>, stopCheck, fixed === undefined)) inputDone = true;
    } catch (error) {
      failRead(error);
    }
    return chunk.items();
  };
  // An async input's steps; a chunk of automatic size is sent once the input pauses (stream-steps.ts).
  let steps = isAsync
    ? new AsyncSteps(it as AsyncIterator<unknown>, options.inputWaits, interrupt, () => !!interrupted)
    : undefined;
  const readAsyncInto = async (chunk: ChunkFill<I>): Promise<I> => {
    const pause = fixed === undefined ? new ChunkPause(() => steps!.pause()) : undefined;
    let count = 0;
    try {
      while (!chunk.full()) {
        stopCheck();
        const step = await steps!.next(pause !== undefined && count > 0);
        if (step === PAUSED) break;
        if (!chunk.add(step)) {
          inputDone = true;
          break;
        }
        count++;
        pause?.item();
        if (pause && asksAt(count) && turnSpent()) break; // see turns.ts
      }
    } catch (error) {
      failRead(error);
    } finally {
      pause?.end();
    }
    return chunk.items();
  };
  const stopCheck = (): void => {
    if (interrupted) throw interrupted.error;
    if (expired) throw expired.error;
  };
  const failRead = (error: unknown): void => {
    inputDone = true;
    inputError = { error };
  };

  // Only chunks still running count once the consumer is not the one who paces the call.
  const refills = (): boolean => options.keepsAll === true || readingAll;
  const room = (): boolean => (refills() ? running : pending.length) < sizes.inflight;
  // Whether a fill may read and submit more. The fill loop and the refill after it ask the same
  // question: a refill that asked less would start fills that read nothing, one after another,
  // forever, in microtasks (a call stopped before its first read spun the event loop so).
  const mayFill = (): boolean => !inputDone && !stopped && !interrupted && !expired && !ending && room();
  // Every result has arrived once the input is read to its end and no chunk is out.
  const checkReceived = (): void => {
    if (received || !inputDone || running > 0) return;
    received = true;
    options.onReceived?.();
  };
  // One fill at a time (it steps the input iterator). A chunk that finishes during a fill is seen
  // by the fill's next check; one that finishes as it ends gets a fill of its own (keepsAll).
  const fill = (): Promise<void> => {
    filling ??= fillLoop().finally(() => {
      filling = undefined;
      checkReceived();
      if (refills() && mayFill()) fill().catch(() => {});
      checkAllRead();
    });
    return filling;
  };

  // Waits for the fill to end, or, over an async input (which may stall), for a chunk to end first:
  // results already in reach the consumer while the input is slow, and a failed item fails a `map` at
  // once, not behind a read that may never return. A fill that fails later fails the call as the input.
  const filled = (): Promise<void> => {
    const fillDone = fill();
    if (!isAsync) return fillDone;
    // A chunk that ended while the consumer was away has nothing left to wake this wait.
    const ready = options.ordered ? pending[0]?.done : pending.some((p) => p.done);
    if (ready || interrupted) {
      fillDone.catch((error: unknown) => {
        inputError ??= { error };
        inputDone = true;
      });
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      let over = false;
      const end = (failure?: { error: unknown }) => {
        if (over) {
          if (failure) inputError ??= failure;
          inputDone ||= failure !== undefined;
          return;
        }
        over = true;
        wake = undefined;
        if (failure) reject(failure.error);
        else resolve();
      };
      wake = () => end();
      fillDone.then(
        () => end(),
        (error: unknown) => end({ error }),
      );
    });
  };

  // A chunk that ended, either way. One function for all chunks, and one `then` a chunk (no
  // `finally`): each chunk's objects live until its results are read, through scavenges (issue 18).
  const ended = (p: Pending<H, R>): void => {
    sizes.measured = true;
    p.done = true;
    p.order = ++completions;
    p.handle = undefined;
    running--;
    if (!filling) checkReceived();
    wake?.();
    // Whatever a fill throws also reaches the consumer, which awaits the same fill.
    if (refills() && !ending) fill().catch(() => {});
    checkAllRead();
  };
  const succeeded = (p: Pending<H, R>, r: R, count: number, probe: boolean): void => {
    p.settled = r;
    sizes.measured = true;
    try {
      if (r.ms !== undefined) sizes.learn(r.ms, count, probe);
      if (options.onProgress && !stopped && !progressFailure) {
        ready += options.count ? options.count(r) : count;
        try {
          options.onProgress(ready, total);
        } catch (error) {
          // Thrown here it would be an unhandled rejection: the call fails with it instead.
          progressFailure = { error };
        }
      }
    } finally {
      ended(p);
    }
  };

  // Apart from the read loop, so that nothing of a running chunk holds its items.
  const track = (handle: H | undefined, reply: Promise<R>, count: number): void => {
    const p: Pending<H, R> = {
      handle,
      base: read,
      settled: undefined,
      failure: undefined,
      done: false,
      order: 0,
    };
    read += count;
    running++;
    const probe = !sizes.measured;
    reply.then(
      (r) => succeeded(p, r, count, probe),
      (error) => {
        p.failure = error;
        if (!options.itemFailure?.(error)) ending = true;
        ended(p);
      },
    );
    pending.push(p);
  };

  const fillLoop = async (): Promise<void> => {
    while (mayFill()) {
      // A call's first chunk goes in the call's turn (the order of calls); later ones may wait (turns.ts).
      if (read > 0 && turnSpent()) {
        await nextTurn();
        continue;
      }
      const next = readChunk();
      const items = next instanceof Promise ? await next : next;
      if (items.length === 0 || stopped || interrupted || expired) break;
      const { handle, reply } = submit(items, read);
      track(handle, reply, items.length);
    }
  };

  const nextDone = async (): Promise<Pending<H, R>> => {
    for (;;) {
      if (progressFailure) throw progressFailure.error;
      if (interrupted) throw interrupted.error;
      if (options.ordered) {
        if (pending[0]?.done) return pending.shift()!;
      } else {
        // Completion order: the chunks that arrived before an imap's timeout come before the ones it failed.
        let index = -1;
        for (let i = 0; i < pending.length; i++) {
          if (pending[i]!.done && (index === -1 || pending[i]!.order < pending[index]!.order)) index = i;
        }
        if (index !== -1) return pending.splice(index, 1)[0]!;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
  };

  function interrupt(error: unknown): void {
    if (interrupted) return;
    interrupted = { error };
    steps?.cancel(error);
    wake?.();
  }
  options.interruptible?.(interrupt, (error) => {
    if (interrupted || expired) return;
    expired = { error, unread: !inputDone };
    steps?.cancel(error);
    wake?.();
  });
  options.readsOn?.((leftError, terminated = false) => {
    if (leftAtFailure) {
      // A `for await` whose next() rejected left without return(): nothing more is read, the input
      // is asked to finish. A consumer that goes on after all gets the results out, then `leftError`.
      ending = true;
      inputError ??= { error: leftError() };
      if (inputDone || inputClosed || it === undefined) return Promise.resolve();
      inputClosed = true;
      return closeLeftInput(it, steps?.pending ? (e) => steps!.cancel(e) : undefined, inputError.error);
    }
    if (terminated) return Promise.resolve();
    readingAll = true;
    const done = new Promise<void>((resolve) => {
      allRead = resolve;
    });
    if (mayFill()) fill().catch(() => {});
    checkAllRead();
    return done;
  });
  try {
    await filled();
    for (;;) {
      if (interrupted) break;
      if (pending.length === 0) {
        // A fill started by a finished chunk may still be reading the next chunk.
        if (!filling) break;
        await filled();
        continue;
      }
      const p = await nextDone();
      // A consumer may leave after a failure without return() (a `for await` whose next() rejected):
      // the stream stays at that yield, holding only the chunks out (they run on); nothing is read.
      const read =
        p.failure === undefined ? options.read(p.settled!, p.base) : { values: [], error: p.failure };
      let results: ChunkResults | undefined = read instanceof Promise ? await read : read; // a load first
      for (; results !== undefined; results = results.more) {
        const { values, error } = results;
        if (values.length > 0) {
          yield values;
          if (options.recycleResults && values instanceof Float64Array) options.buffers?.give(values);
        }
        if (error === undefined) continue;
        if (!options.itemFailure?.(error)) throw error;
        leftAtFailure = true;
        yield new ItemFailure(error);
        leftAtFailure = false;
      }
      await filled();
    }
    if (interrupted) throw interrupted.error;
    if (expired?.unread) throw expired.error;
    if (inputError) throw inputError.error;
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    // Early exit or failure: first stop reading, drop what has not started (the input's return() may throw).
    stopped = true;
    checkAllRead();
    const handles = pending.flatMap((p) => (p.handle === undefined ? [] : [p.handle]));
    if (handles.length > 0) cancel(handles);
    const stop = { stopped: !!(interrupted || expired?.unread), error: interrupted?.error ?? expired?.error };
    const cancelRead = steps?.pending ? steps.cancel.bind(steps) : undefined;
    const input = it;
    array = it = steps = undefined; // see `array`
    await closeInputAtEnd(input, cancelRead, stop, !inputDone && !inputClosed, failed);
  }
}
