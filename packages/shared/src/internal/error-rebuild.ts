/**
 * An error record (`error-record.ts`) rebuilt on the receiving side: the same class by identity,
 * the same name, message, stack and fields, its nested values decoded for the context they came from.
 */
import type { CodecTarget } from '../codec-types.js';
import { decodeValue } from '../decode.js';
import type { PendingLoad } from '../decode-loads.js';
import { SerializationError } from '../errors.js';
import { construct } from './error-construct.js';
import type { ErrorRecord } from './error-record.js';
import { isBackRef, rebuilding, refTarget } from './error-refs.js';
import { rebuiltFromUnsent } from './thrown-value.js';

/** What the decodes of one error's parts made of each received object (see `decodeValue()`'s `memo`). */
type Memo = Map<object, unknown>;

/**
 * A nested value as `packNested` (error-record.ts) packed it, rebuilt (`source`: where it came from; `loads`
 * collects what its task references need loaded, as `decodeValue()`'s).
 */
function unpackNested(
  value: unknown,
  source: CodecTarget,
  loads: PendingLoad[] | undefined,
  memo: Memo,
): unknown {
  if (typeof value !== 'object' || value === null) return value;
  // A nested error the record holds twice (two fields, a field and the cause): one error here too.
  const record = (value as { __errorRecord?: ErrorRecord }).__errorRecord;
  if (record) return fromErrorRecord(record, source, loads, memo);
  if (memo.has(value)) return memo.get(value);
  try {
    return decodeValue(value, source, loads, memo);
  } catch (error) {
    // No decoder here for a class the worker encoded: say so in its place, as the worker would.
    return error;
  }
}

/**
 * What a failed call rejects with: the thrown value itself when a non-Error was thrown and could be
 * sent (decoded for `source`, the context it came from), else the rebuilt Error. `loads` collects
 * the loads its task references need (its own fields', its cause's), as `decodeValue()`'s does.
 * @internal
 */
export function thrownOrError(
  record: ErrorRecord,
  source: CodecTarget = 'process',
  loads?: PendingLoad[],
): unknown {
  if (record.isError || !record.thrownSent) return fromErrorRecord(record, source, loads, new Map());
  if (!record.thrownEncoded) return record.thrown;
  try {
    return decodeValue(record.thrown, source, loads);
  } catch (error) {
    // Not rebuildable here (no decoder, a class this Node lacks): the call fails with why.
    return error instanceof Error ? error : new SerializationError('error', String(error));
  }
}

function define(target: object, key: string, value: unknown, enumerable = false): void {
  Object.defineProperty(target, key, { value, writable: true, configurable: true, enumerable });
}

/**
 * Rebuilds an error from its record: same class by identity, same name, message, stack and fields;
 * `source` is the context it came from (what the codec's decoders are told); `loads` collects the
 * loads of the task references in its fields, as `decodeValue()`'s does; `memo` is the receive's
 * (`DecodeContext.memo`), when the record is part of a value.
 * @internal
 */
export function fromErrorRecord(
  record: ErrorRecord,
  source: CodecTarget = 'process',
  loads?: PendingLoad[],
  memo: Memo = new Map(),
): Error {
  if (isBackRef(record)) return refTarget(record);
  // Held twice by the message (a field and, in a list, a value: the same record): one error.
  const known = memo.get(record);
  if (known instanceof Error) return known;
  return rebuilding(
    // What nests in it is rebuilt once it exists (`rebuilt`): it may refer to the error itself.
    () => construct(record),
    (err) => rebuilt(memo.set(record, err) && err, record, source, loads, memo),
  );
}

/** The name, stack and fields of `err`, rebuilt from `record` (see {@link fromErrorRecord}). */
function rebuilt(
  err: Error,
  record: ErrorRecord,
  source: CodecTarget,
  loads: PendingLoad[] | undefined,
  memo: Memo,
): Error {
  // One memo for every part: what the sender met twice in the error is one object here (codec-memo.ts).
  const unpack = (packed: unknown) => unpackNested(packed, source, loads, memo);
  define(err, 'stack', record.stack);
  if (err.name !== record.name) define(err, 'name', record.name);
  for (const [key, value] of Object.entries(record.props)) {
    try {
      define(err, key, unpack(value), true);
    } catch {
      // A getter on the prototype (such as `code`) already answers for it.
    }
  }
  if ('cause' in record) define(err, 'cause', unpack(record.cause));
  // In the order they were written (error-record.ts): an error met twice is rebuilt where it was written first.
  const nested = err as { errors?: unknown[]; error?: unknown; suppressed?: unknown };
  if (record.errors && Array.isArray(nested.errors)) nested.errors.push(...record.errors.map(unpack));
  if (record.suppressed && 'suppressed' in nested)
    [nested.error, nested.suppressed] = record.suppressed.map(unpack);
  if (!record.isError && 'thrown' in record) {
    define(err, 'thrown', record.thrown);
    if (!record.thrownSent) rebuiltFromUnsent(err);
  }
  return err;
}
