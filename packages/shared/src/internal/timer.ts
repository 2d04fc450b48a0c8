/**
 * The timer behind every timeout a caller gives (ms). Node's `setTimeout` may fire up to about 1 ms
 * before its delay has passed on the monotonic clock (`performance.now()`): libuv counts whole
 * milliseconds from the start of the event loop's turn, and a fractional delay is cut to whole
 * milliseconds. A wait given `timeout: 10` must never give up after 9.4 ms, so this timer looks at
 * the clock when it fires and sets itself again for what is left.
 */
/** A timer made by {@link setTimeoutAtLeast}. @internal */
export interface AtLeastTimeout {
  /** Stops the timer: its function is not called (Node's `clearTimeout`). */
  clear(): void;
  /** Lets the program end while only this timer is pending (Node's `timeout.unref()`). */
  unref(): this;
  /** Holds the program open again while the timer is pending (Node's `timeout.ref()`). */
  ref(): this;
}

/** The longest delay `setTimeout` takes (about 24.8 days); a longer one would fire after 1 ms. */
const MAX_DELAY_MS = 0x7fff_ffff;

type Handle = ReturnType<typeof setTimeout>;

/**
 * Calls `fn` once at least `ms` milliseconds have passed on `performance.now()`'s clock (never
 * before, as a bare `setTimeout` may by up to about 1 ms), unless the timer is cleared first.
 * @example
 * import { setTimeoutAtLeast } from '@multiproc/shared';
 * const t0 = performance.now();
 * setTimeoutAtLeast(() => console.log(performance.now() - t0 >= 7.5), 7.5); // true
 * @internal
 */
export function setTimeoutAtLeast(fn: () => void, ms: number): AtLeastTimeout {
  const due = performance.now() + ms;
  let held = true;
  let handle: Handle;
  const hold = (): void => {
    const h = handle as { ref?: () => unknown; unref?: () => unknown };
    held ? h.ref?.() : h.unref?.();
  };
  const arm = (left: number): void => {
    handle = setTimeout(check, Math.min(Math.ceil(left), MAX_DELAY_MS));
    if (!held) hold();
  };
  const check = (): void => {
    const left = due - performance.now();
    if (left > 0) arm(left);
    else fn();
  };
  arm(ms);
  return {
    clear: () => clearTimeout(handle),
    unref() {
      held = false;
      hold();
      return this;
    },
    ref() {
      held = true;
      hold();
      return this;
    },
  };
}
