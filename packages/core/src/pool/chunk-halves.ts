/**
 * A map chunk that cannot be sent as it is (structured clone refused an item) goes as two halves
 * instead, when each of its items fails or succeeds alone (`imap` without `chunksize`).
 */
import type { MapReply } from '../internal/batch.js';
import type { ChunkCall, ChunkReply, Part } from './map-chunk.js';

/** The own reply of a chunk whose parts replied for it: its worker died (its results with it), or it could not be sent. */
export const NO_REPLY: MapReply = { values: [], encoded: false };

/**
 * Whether a chunk of `items` that cannot be sent goes as two halves instead (an `imap` without
 * `chunksize`, where each item fails or succeeds alone): then only the items that cannot be sent
 * fail, each alone, as an item whose task threw; the others run.
 */
export function splits(call: ChunkCall, items: ArrayLike<unknown>): boolean {
  return call.resend !== undefined && items.length > 1;
}

/**
 * The reply of a chunk of `items` (from input position `base`) that could not be sent, as its two
 * halves sent as chunks of their own (each splits again while it cannot be sent). It stays one
 * chunk of its call: its place in the input order, its share of `inflight`.
 */
export function sentInHalves(
  call: ChunkCall,
  items: unknown[] | Float64Array,
  base: number,
): Promise<ChunkReply> {
  const half = Math.ceil(items.length / 2);
  const part = (from: number, to: number) =>
    call.resend!(items.slice(from, to), base + from).then(
      (reply): Part => reply,
      (failure: unknown): Part => ({ failure }),
    );
  return Promise.all([part(0, half), part(half, items.length)]).then((parts) => ({
    reply: NO_REPLY,
    base,
    parts,
  }));
}
