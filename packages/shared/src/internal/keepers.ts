/**
 * What a send reserves through the objects it encodes: the keepers of a send that keeps objects
 * (`EncodeOptions.keep`), made on first meet, and the records of a send the codec refused part-way,
 * whose reservations go back. Nothing here imports `@multiproc/ipc`: it reaches ipc's release
 * through a hook on `globalThis`.
 */
import { type Encodable, type EncodeContext, type Keeper, keepSymbol } from '../codec-types.js';

/** What encodes `obj`: itself, or its keeper when the send keeps objects. */
export function keeperOf(
  obj: Encodable,
  ctx: EncodeContext,
  keep: Map<object, Keeper> | undefined,
): Encodable {
  const make = (obj as Partial<Record<typeof keepSymbol, (ctx: EncodeContext) => Keeper>>)[keepSymbol];
  if (!keep || typeof make !== 'function') return obj;
  let keeper = keep.get(obj);
  if (!keeper) keep.set(obj, (keeper = make.call(obj, ctx)));
  return keeper;
}

/** Where `@multiproc/ipc` puts its release of encoded copies (its `internal/runtime/carried.ts`). */
const DROP_KEY = Symbol.for('multiproc.ipc.dropEncoded');

/**
 * Gives back what the records of a send the codec refused part-way reserved (a queue's or pipe
 * end's copy): nothing will deliver them. Only ipc's encoders reserve anything, and ipc installs
 * the hook in a realm before its first encode, so without it there is nothing to give back.
 */
export function dropUndelivered(records: readonly unknown[]): void {
  const drop = (globalThis as Record<symbol, unknown>)[DROP_KEY];
  if (records.length === 0 || typeof drop !== 'function') return;
  try {
    drop(records);
  } catch {
    // Releasing is best effort: the send's own error is what the caller must see.
  }
}
