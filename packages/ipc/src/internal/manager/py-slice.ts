/**
 * Python's slice `items[start:stop:step]` on an array, for the manager's list. Bounds follow
 * CPython's `PySlice_AdjustIndices`: a negative bound counts from the end, an out-of-range bound
 * is clamped, and a negative step walks from the end (its default start is the last item, its
 * default stop is before the first). With no step this is `Array.prototype.slice`.
 */
import { ValidationError } from '@multiproc/shared';

/** A bound as given: `undefined` and `null` (Python's `None`) leave it to the default. */
function bound(v: unknown, name: string, where: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' && (Number.isInteger(v) || v === Infinity || v === -Infinity)) return v;
  throw new ValidationError(
    `${where}: ${name} must be an integer, undefined or null, got ${typeof v === 'number' ? v : typeof v}.`,
  );
}

/** `at` clamped into `[lower, upper]` after counting a negative one from the end. */
function adjust(at: number, length: number, lower: number, upper: number): number {
  if (at < 0) return Math.max(at + length, lower);
  return Math.min(at, upper);
}

/**
 * The first index, the stop and the step of `items[start:stop:step]` on a sequence of `length`
 * items (CPython's `PySlice_AdjustIndices`; the stop is not clamped up to the start).
 * @throws {ValidationError} when a bound or the step is not an integer (or `undefined`/`null`),
 *   or the step is 0 (Python: `ValueError: slice step cannot be zero`).
 */
export function sliceIndices(
  length: number,
  start: unknown,
  stop: unknown,
  step: unknown,
  where: string,
): [from: number, to: number, step: number] {
  const s = bound(step, 'step', where) ?? 1;
  if (s === 0 || !Number.isFinite(s)) {
    throw new ValidationError(`${where}: step must be a non-zero integer, got ${s}.`);
  }
  const [lower, upper] = s < 0 ? [-1, length - 1] : [0, length];
  const from = bound(start, 'start', where);
  const to = bound(stop, 'end', where);
  const i0 = from === undefined ? (s < 0 ? upper : lower) : adjust(from, length, lower, upper);
  const i1 = to === undefined ? (s < 0 ? lower : upper) : adjust(to, length, lower, upper);
  return [i0, i1, s];
}

/**
 * A new array of the items `items[start:stop:step]` selects.
 * @throws {ValidationError} as {@link sliceIndices}.
 */
export function pySlice<T>(
  items: readonly T[],
  start: unknown,
  stop: unknown,
  step: unknown,
  where: string,
): T[] {
  const [i0, i1, s] = sliceIndices(items.length, start, stop, step, where);
  if (s === 1) return items.slice(i0, Math.max(i0, i1));
  const out: T[] = [];
  if (s > 0) for (let i = i0; i < i1; i += s) out.push(items[i] as T);
  else for (let i = i0; i > i1; i += s) out.push(items[i] as T);
  return out;
}
