/** Where decoders are registered, shared by the encoding and the decoding side. */
import type { Decoder } from '../codec-types.js';

/** Both sides mark the shared memory an object carries (internal/crossed.ts). */
export { markCrossed } from './crossed.js';
export type { Decoder };

// The registry lives on globalThis so that two copies of this package loaded in one thread (a
// bundled copy beside an installed one) still share decoders.
const REGISTRY_KEY = Symbol.for('multiproc.codec.registry');

/** The decoders of this thread, by encoded type. */
export function codecRegistry(): Map<string, Decoder> {
  return ((globalThis as any)[REGISTRY_KEY] ??= new Map<string, Decoder>());
}

/**
 * The type of a record that wraps a plain object of the user's own which has a `CODEC_TAG` key
 * (parsed JSON may): its data is that object, so the receiver never takes it for a record.
 */
export const ESCAPED_TYPE = 'multiproc.ownTaggedObject';
