/**
 * The hot loop of a map chunk whose items are numbers (issue 18). Synchronous and apart from the
 * async job loop, so that V8 optimizes it whole and can inline a small task: its results then
 * stay unboxed on their way into the results buffer, and a worker squaring numbers allocates
 * nothing per item. Allocating even 16 bytes an item (a boxed result) swept the worker's whole
 * young generation over and over, which `imap` over millions of items showed as the parent
 * process's RSS growing (worker threads live in it).
 */
import { restoreProcess } from './own-process.js';
import { type Reporter, Step } from './reporter.js';

/**
 * Why `runNumbers` stopped before the end: the reporter's step, the result that was not a number
 * (`hasValue`), or what the task threw (`thrown`, in `value`).
 */
export interface NumberRunStop {
  step: number;
  value: unknown;
  hasValue: boolean;
  thrown: boolean;
}

/** Reused by every run: stopping allocates nothing either. */
const stop: NumberRunStop = { step: Step.GO, value: undefined, hasValue: false, thrown: false };

/**
 * Runs `fn` over `items` from `from`, writing each result into `out`, while the reporter says go
 * and the results are numbers. Returns the index it stopped at (`items.length` when done) and,
 * below it, why: `stop.hasValue` with the result of that item (`fn` ran for it), `stop.thrown`
 * with what `fn` threw for it, or the step that was not GO (`fn` did not run).
 */
export function runNumbers(
  fn: (item: number) => unknown,
  items: Float64Array,
  out: Float64Array,
  from: number,
  report: Reporter,
): { index: number; stop: NumberRunStop } {
  stop.step = Step.GO;
  stop.value = undefined;
  stop.hasValue = false;
  stop.thrown = false;
  const n = items.length;
  let i = from;
  try {
    for (; i < n; i++) {
      const step = report.item(i);
      if (step !== Step.GO) {
        stop.step = step;
        break;
      }
      const value = fn(items[i]!);
      if (typeof value !== 'number') {
        stop.value = value;
        stop.hasValue = true;
        break;
      }
      out[i] = value;
    }
  } catch (err) {
    stop.value = err;
    stop.thrown = true;
  }
  restoreProcess(); // the task may have replaced it (own-process.ts): once a run, not an item
  return { index: i, stop };
}
