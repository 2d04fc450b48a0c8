// addCallerFrames: the frames of the code that awaited a failed call appear once in the error's
// stack, as CPython's test_broken_process_pool_traceback asks of the test's file. An error made in
// a continuation of the awaited promise already ends with them (V8's async stack trace, in full or
// cut at Error.stackTraceLimit): before, they showed twice, above and below the header (ipc's get()
// and recv() that waited and failed did); now they move below it. An error thrown inside the
// awaited call names the awaiting line already: before, the header repeated it (a pool call that
// failed at once did); now nothing is added.
import { addCallerFrames } from '@multiproc/shared';
import { afterEach, describe, expect, it } from 'vitest';

const HEADER = '  Where it was awaited:';
const limit = Error.stackTraceLimit;
afterEach(() => {
  Error.stackTraceLimit = limit;
});

/** Rejects with an error made after an await, so V8 gives it the awaiting code's frames too. */
async function failsLater(): Promise<never> {
  await new Promise((resolve) => setTimeout(resolve, 1));
  throw new RangeError('late');
}

/** Rejects at once, with an error made inside the call (its stack names the calling line). */
function failsAtOnce(): Promise<never> {
  return Promise.reject(new RangeError('at once'));
}

/** Rejects with an error made in a timer, whose stack names none of the awaiting code. */
function failsInATimer(): Promise<never> {
  return new Promise((_, reject) => setTimeout(() => reject(new RangeError('timer')), 1));
}

/** `work` with the frames of its awaiting code added to its rejection. */
function awaited(work: Promise<never>): Promise<never> {
  return work.catch(function onFail(err: unknown): never {
    addCallerFrames(err, HEADER, onFail);
    throw err;
  });
}

async function awaitingCode(work: () => Promise<never>): Promise<Error> {
  try {
    await awaited(work());
  } catch (err) {
    return err as Error;
  }
  throw new Error('resolved');
}

/** How many of `stack`'s lines name `fn` as a frame. */
const framesOf = (stack: string, fn: string) =>
  stack.split('\n').filter((l) => l.includes(` ${fn} (`)).length;

describe('addCallerFrames', () => {
  it('moves the awaiting frames an error already ends with below the header: each appears once', async () => {
    const err = await awaitingCode(failsLater);
    const stack = String(err.stack);
    expect(stack.split(HEADER)).toHaveLength(2);
    expect(framesOf(stack, 'awaitingCode'), stack).toBe(1);
    expect(stack.slice(stack.indexOf(HEADER)), stack).toContain('awaitingCode');
    expect(stack.slice(0, stack.indexOf(HEADER)), stack).toContain('failsLater');
  });

  it('also when Error.stackTraceLimit cut the error’s own stack inside those frames', async () => {
    Error.stackTraceLimit = 2; // failsLater, then only the first awaiting frame
    const err = await awaitingCode(failsLater);
    Error.stackTraceLimit = limit;
    const stack = String(err.stack);
    expect(framesOf(stack, 'awaitingCode'), stack).toBe(1);
    expect(stack.slice(0, stack.indexOf(HEADER)), stack).toContain('failsLater');
  });

  it('also when Node resumed the failed call from between two timers (its frame takes a place of the limit)', async () => {
    Error.stackTraceLimit = 2;
    const pending = awaitingCode(failsLater);
    // Due with failsLater's timer, after it: Node runs the continuations between the two from its
    // own runNextTicks, which took the one place left in both stacks (seen at load in CI).
    setTimeout(() => {}, 1);
    const err = await pending;
    Error.stackTraceLimit = limit;
    const stack = String(err.stack);
    expect(framesOf(stack, 'awaitingCode'), stack).toBe(1);
    expect(stack.slice(stack.indexOf(HEADER)), stack).toContain('awaitingCode');
  });

  it('adds nothing to an error thrown inside the awaited call: its stack names the awaiting line already', async () => {
    const err = await awaitingCode(failsAtOnce);
    const stack = String(err.stack);
    expect(stack, stack).not.toContain(HEADER);
    expect(framesOf(stack, 'awaitingCode'), stack).toBe(1);
  });

  it('adds the awaiting frames to an error made at once in other code, awaited here later', async () => {
    const early = failsAtOnce();
    early.catch(() => {}); // awaited below, a turn later
    const err = await awaitingCode(() => early);
    const stack = String(err.stack);
    expect(stack.split(HEADER)).toHaveLength(2);
    expect(framesOf(stack, 'awaitingCode'), stack).toBe(1);
  });

  it('adds the awaiting frames under the header to an error made elsewhere, once however often it is awaited', async () => {
    const work = awaited(failsInATimer());
    const first = await awaitingCode(() => work);
    const again = await awaitingCode(() => work);
    expect(again).toBe(first);
    const stack = String(first.stack);
    expect(stack.split(HEADER)).toHaveLength(2);
    expect(framesOf(stack, 'awaitingCode'), stack).toBe(1);
  });

  describe('an Error.stackTraceLimit it cannot raise: the error itself, never another', () => {
    const own = Object.getOwnPropertyDescriptor(Error, 'stackTraceLimit')!;
    afterEach(() => {
      Object.defineProperty(Error, 'stackTraceLimit', own);
    });
    // Before, the limit was read and set in the rejection handler: a read-only one (a frozen
    // Error) replaced the call's error with "Cannot assign to read only property", a throwing
    // getter with the getter's error.
    it.each([
      ['read-only (a frozen Error)', { value: 4, writable: false, configurable: true }],
      [
        'a getter that throws',
        {
          get: () => {
            throw new Error('getter');
          },
          set() {},
          configurable: true,
        },
      ],
    ])('%s', async (_, property) => {
      Object.defineProperty(Error, 'stackTraceLimit', property);
      const err = await awaitingCode(failsLater);
      Object.defineProperty(Error, 'stackTraceLimit', own);
      expect(err).toBeInstanceOf(RangeError);
      expect(err.message).toBe('late');
    });

    it('a negative limit keeps no frames, as V8 does', async () => {
      Error.stackTraceLimit = -1;
      const err = await awaitingCode(failsLater);
      expect(Error.stackTraceLimit).toBe(-1);
      Error.stackTraceLimit = limit;
      expect(String(err.stack)).not.toContain(HEADER);
    });
  });
});
