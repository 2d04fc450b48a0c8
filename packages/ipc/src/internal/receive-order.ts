/**
 * One receiver's values settle in the order it took them, also while one of them waits for a
 * load (a task reference's module, serialize.ts's `fromItem(item, true)`): every receive taken
 * after it settles after it, so `get().then(push)` called three times pushes in queue order. A
 * load's failure rejects its own receive only; the next ones still settle with their values.
 * Nothing is chained while no load is pending (`busy` is false): the hot path.
 */
const ignore = (): void => {};

export class ReceiveOrder {
  #tail: Promise<unknown> | undefined = undefined;

  /** Whether a receive taken earlier has not settled yet because it waits for a load. */
  get busy(): boolean {
    return this.#tail !== undefined;
  }

  /**
   * `result` (a value, or a Promise: a load pending, a schema's async check), settled after every
   * result added before it.
   */
  add<T>(result: T | Promise<T>): Promise<T> {
    // Its rejection is handled by whoever awaits the returned promise, maybe a turn from now.
    if (result instanceof Promise) result.catch(ignore);
    const tail = this.#tail;
    const after = () => result;
    const settled: Promise<T> = tail === undefined ? Promise.resolve(result) : tail.then(after, after);
    this.#tail = settled;
    const clear = () => {
      if (this.#tail === settled) this.#tail = undefined;
    };
    settled.then(clear, clear);
    return settled;
  }

  /** `get()` as one receive: a thrown error becomes a rejection in its turn. */
  addFrom<T>(get: () => T | Promise<T>): Promise<T> {
    let result: T | Promise<T>;
    try {
      result = get();
    } catch (err) {
      result = Promise.reject(err);
    }
    return this.add(result);
  }
}
