/** The receiving side of the codec protocol (see codec.ts). */
import { CODEC_TAG, type CodecTarget, type DecodeContext } from './codec.js';
import type { PendingLoad } from './decode-loads.js';
import { SerializationError } from './errors.js';
import { codecRegistry, ESCAPED_TYPE, markCrossed } from './internal/codec-registry.js';
import { adoptRosters } from './internal/thread-roster.js';
import {
  isHole,
  isPassThrough,
  namedFields,
  namedFieldsDepth,
  ownIndexesFrom,
} from './internal/value-kinds.js';

const registry = codecRegistry();

/**
 * Rebuilds the objects {@link encodeValue} encoded. Call it only when `encoded` was `true`; the
 * tagged records are replaced in place (the received value is a fresh copy anyway).
 * @param loads Where the decoders report the loads the value needs before it is usable
 * (`DecodeContext.needs`; run them with `loadPending()`): given by a receive that can wait for them.
 * @param memo What earlier decodes of the same message made of each received record (the parts of
 * an error record, decoded one by one): an object the sender met twice is then one object here too.
 * @throws {SerializationError} when no decoder is registered for a received type.
 * @example
 * const { value, encoded } = encodeValue({ at: new URL('https://example.com') }, 'thread');
 * const copy = structuredClone(value);
 * const back = encoded ? decodeValue(copy, 'thread') : copy;
 * console.log(back.at instanceof URL); // true
 */
export function decodeValue<T>(
  value: T,
  source: CodecTarget,
  loads?: PendingLoad[],
  memo?: Map<object, unknown>,
): T {
  // Maps each received object to what replaces it, so shared references and cycles stay intact.
  const seen = new Map<object, unknown>();
  // Each record decoded to a live object (and that object to itself), for the message's other
  // parts: not the objects merely walked here, which may hold records a decoder decodes itself.
  const made = memo ?? new Map<object, unknown>();
  const ctx: DecodeContext = loads
    ? { source, needs: (kind, key) => loads.push([kind, key]), memo: made }
    : { source, memo: made };
  const namedDepth = namedFieldsDepth(value);
  const walk = (v: unknown, depth = 0): unknown => {
    if (typeof v !== 'object' || v === null || isPassThrough(v)) return v;
    if (seen.has(v)) return seen.get(v);
    if (made.has(v)) return made.get(v);
    seen.set(v, v);
    if (Object.hasOwn(v, CODEC_TAG)) {
      const type = (v as Record<string, unknown>)[CODEC_TAG] as string;
      if (type === ESCAPED_TYPE) {
        // The sender's own object that has the tag key: itself, its fields decoded.
        const own = (v as { data: Record<string, unknown> }).data;
        seen.set(v, own);
        seen.set(own, own);
        for (const key of Object.keys(own)) own[key] = walk(own[key], depth + 1);
        return own;
      }
      const decode = registry.get(type);
      if (!decode) {
        throw new SerializationError(
          'value',
          `Received a '${type}' but no decoder is registered for it in this thread. ` +
            'Import the module that defines that class in the receiving worker (for example from the task module).',
        );
      }
      // Before the object is built, so its thread is found by then (internal/thread-roster.ts).
      adoptRosters((v as { rosters?: unknown }).rosters);
      const live = decode(markCrossed(walk((v as { data: unknown }).data)), ctx);
      seen.set(v, live);
      made.set(v, live);
      // Met again (an error's field its decoder passes on, already decoded here): left as it is.
      if (typeof live === 'object' && live !== null) made.set(live, live);
      return live;
    }
    if (Array.isArray(v)) {
      const n = v.length;
      for (let i = 0; i < n; i++) {
        const item = v[i];
        if (typeof item === 'object' && item !== null) v[i] = walk(item, depth + 1);
        else if (item === undefined && isHole(v, i)) {
          // Sparse: the rest by own keys (a[4e9] = 1 is one element), and the holes stay holes.
          for (const j of ownIndexesFrom(v, i)) {
            const x = v[j];
            if (typeof x === 'object' && x !== null) v[j] = walk(x, depth + 1);
          }
          break;
        }
      }
      // Named fields, where the sender looked into them (value-kinds.ts).
      const rec = v as unknown as Record<string, unknown>;
      if (depth <= namedDepth) for (const key of namedFields(v)) rec[key] = walk(rec[key], depth + 1);
    } else if (v instanceof Map) {
      // Keys too: a library object used as a key arrives encoded like any other.
      const entries = [...v];
      v.clear();
      for (const [k, item] of entries) v.set(walk(k, depth + 1), walk(item, depth + 1));
    } else if (v instanceof Set) {
      const items = [...v];
      v.clear();
      for (const item of items) v.add(walk(item, depth + 1));
    } else {
      const rec = v as Record<string, unknown>;
      for (const key of Object.keys(rec)) rec[key] = walk(rec[key], depth + 1);
      // An error's cause is not enumerable; structured clone keeps it, as the sender walked it.
      if (v instanceof Error && Object.hasOwn(v, 'cause')) {
        Object.defineProperty(v, 'cause', { value: walk(v.cause, depth + 1) });
      }
    }
    return v;
  };
  return walk(value) as T;
}
