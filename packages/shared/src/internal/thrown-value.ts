/**
 * A value thrown instead of an Error, as it travels: itself when it can be sent, else its text on
 * the Error rebuilt for it (`thrown`), which keeps that text when it is sent on again.
 */
import { encodeValue } from '../codec.js';
import type { CodecTarget, EncodeResult } from '../codec-types.js';
import { SerializationError } from '../errors.js';
import { describeThrown } from './describe-thrown.js';
import { dropUndelivered } from './keepers.js';

/** Whether structured clone copies `value`. */
export function cloneable(value: unknown): boolean {
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * What encoding a part of a thrown error moved (`out.transfer`) goes into `transfer`, the list its
 * reply is posted with. With none (a record sent more than once), a port (the copy of a queue or
 * pipe end for a thread) cannot go: its part is refused, named by `path`. Bytes the codec copied
 * need no transfer (the clone copies them again).
 */
export function moveOrRefuse(out: EncodeResult<unknown>, path: string, transfer: object[] | undefined): void {
  if (out.transfer.length === 0) return;
  if (transfer) {
    for (const item of out.transfer) if (!transfer.includes(item)) transfer.push(item);
    return;
  }
  if (out.transfer.every((item) => item instanceof ArrayBuffer)) return;
  dropUndelivered([out.value]);
  throw new SerializationError(
    path,
    `Cannot send ${path}: it holds the copy of a queue or pipe end for a thread (a MessagePort), which ` +
      'this error cannot carry. Pass the queue or pipe end as an argument or a result instead.',
  );
}

/** What a thrown value must pass besides the codec, and where what it moves goes (see RecordOptions). */
interface ThrownOptions {
  readonly transfer?: object[] | undefined;
  readonly check?: ((value: unknown, path: string) => void) | undefined;
}

/** The thrown value as it travels, or why it cannot. */
export function packThrown(
  value: unknown,
  target: CodecTarget | undefined,
  how: ThrownOptions = {},
): { thrown: unknown; thrownEncoded: boolean } | { reason: string } {
  try {
    how.check?.(value, 'error');
  } catch (err) {
    return { reason: err instanceof Error ? err.message : describeThrown(err) };
  }
  if (target === undefined) {
    return cloneable(value)
      ? { thrown: value, thrownEncoded: false }
      : { reason: 'structured clone cannot copy it' };
  }
  try {
    const out = encodeValue(value, target, 'error');
    moveOrRefuse(out, 'error', how.transfer);
    // The codec passes a Proxy through (it reads like its target): the reply's clone would refuse
    // it, failing the call as an unsendable result instead of describing what was thrown.
    if (!out.encoded && !cloneable(out.value)) return { reason: 'structured clone cannot copy it' };
    return { thrown: out.value, thrownEncoded: out.encoded };
  } catch (err) {
    return { reason: err instanceof Error ? err.message : describeThrown(err) };
  }
}

/**
 * Errors rebuilt from a thrown value that could not be sent (their `thrown` holds its text): sent
 * on again (a pool inside a worker rethrows one, a BullMQ worker answers with what its own pool
 * gave it), each goes as a record of the same kind, not as an Error whose hidden field is lost.
 */
const FROM_UNSENT = new WeakSet<Error>();

/** Marks `err` as rebuilt from a thrown value that could not be sent. */
export function rebuiltFromUnsent(err: Error): void {
  FROM_UNSENT.add(err);
}

/** The text of the thrown value `err` was rebuilt from, if it was: what its record carries again. */
export function unsentThrownText(err: Error): unknown {
  return FROM_UNSENT.has(err) && Object.hasOwn(err, 'thrown')
    ? (err as { thrown?: unknown }).thrown
    : undefined;
}
