/**
 * What the bad-input tests of every package share: the error a call throws synchronously or
 * rejects with, so one assertion reads both (a method that returns a Promise rejects, the others
 * throw at once). Fails the test when `fn` neither throws nor rejects.
 */

/** The error `fn` throws or rejects with (typed `E`, an `Error` unless said otherwise). */
export async function thrown<E = Error>(fn: () => unknown): Promise<E> {
  try {
    await fn();
  } catch (err) {
    return err as E;
  }
  throw new Error('did not throw');
}
