/**
 * The items a proxy method sends for an iterable argument (`l.extend(values)`, `a.setSlice(i,
 * values)`, `manager.list(init)`), read at the call, so that what cannot be read rejects the call
 * (a method returning a Promise never throws synchronously).
 */
import { describeValue, ValidationError } from '@multiproc/shared';

/** The items of `values`, an iterable; a ValidationError saying what to pass when it is none. */
export function iterableItems<T>(values: unknown, where: string): T[] {
  if (
    typeof values === 'string' ||
    (typeof values === 'object' && values !== null && Symbol.iterator in values)
  )
    return [...(values as Iterable<T>)];
  throw new ValidationError(
    `${where}: expected an iterable (an array, a Set, a string, ...), got ${describeValue(values)}.`,
  );
}
