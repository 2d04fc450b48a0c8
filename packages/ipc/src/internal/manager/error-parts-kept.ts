/**
 * The answer to a call whose served object threw an error the wire refused as a whole because of
 * a nested value (a field holding a function, as axios's `config.transform`, or a getter that
 * throws): each nested value is checked on its own, and one that cannot go whole keeps its
 * sendable parts, each bad part standing in as the `SerializationError` naming it
 * (`error.config.transform`), as a pool task's error keeps them (shared's `packSendableParts`).
 * The class, message, stack, `code` and the other fields stay. Only on that failure: an error
 * that encodes costs nothing more.
 */
import { type KeepError, keptError, ProcessError, packSendableParts } from '@multiproc/shared';
import { dropCarried } from '../runtime/carried.js';
import { jsonExact, toItem } from '../serialize.js';
import { ERROR_KEY, mapStandIns } from './error-plain.js';
import type { ErrorRecord, Nested } from './error-wire.js';
import { leanerRecord } from './error-wire.js';
import { answerFrame, FAILED } from './rpc.js';

/** `value`, when it can go on the wire; else throws the `ProcessError` naming its bad part under `path`. */
function sendable(value: unknown, path: string): unknown {
  // Only a check: the answer encodes it again, so what this encoding reserved goes back.
  if (!jsonExact(value)) dropCarried(toItem(value, path));
  return value;
}

/**
 * What one answer kept so far: `keep` for an error inside a field's value (`cause: { inner: err }`),
 * which goes as a value, kept as a pool task's error keeps it (shared's `keptError`); `records`
 * each record kept. One kept copy per error of the answer: an error held twice stays one.
 */
interface Keeping {
  readonly keep: KeepError;
  readonly records: Map<ErrorRecord, ErrorRecord>;
}

function keeping(): Keeping {
  const made = new Map<Error, Error>();
  const keep: KeepError = (err, path) => made.get(err) ?? made.set(err, keptError(err, path)).get(err)!;
  return { keep, records: new Map() };
}

/** `n` as it can go, its bad parts standing in; the whole value stands in when it cannot be split. */
function kept(n: Nested, path: string, k: Keeping): Nested | undefined {
  if ('ref' in n) return n;
  if ('plain' in n) return keptPlain(n.plain, path, k);
  if (!('value' in n)) return k.records.get(n) ?? partsKept(n, path, k);
  try {
    return { value: sendable(n.value, path) };
  } catch (refusal) {
    if (!(refusal instanceof ProcessError)) return undefined;
    const parts = packSendableParts(n.value, path, refusal, (v) => sendable(v, path), k.keep);
    if (parts) return { value: parts.value };
    try {
      return { value: sendable(refusal, path) };
    } catch {
      return undefined; // not even the refusal goes: the field is left out, as before
    }
  }
}

/**
 * A container's copy holding errors (error-plain.ts): each error kept as {@link kept} keeps it,
 * then the rest as a value's parts are (a function beside them stands in alone).
 */
function keptPlain(plain: unknown, path: string, k: Keeping): Nested | undefined {
  const none = { value: undefined };
  const copy = mapStandIns(plain, path, (n, at) => ({ [ERROR_KEY]: kept(n as Nested, at, k) ?? none }));
  try {
    return { plain: sendable(copy, path) };
  } catch (refusal) {
    if (!(refusal instanceof ProcessError)) return undefined;
    const parts = packSendableParts(copy, path, refusal, (v) => sendable(v, path), k.keep);
    return parts ? { plain: parts.value } : kept({ value: refusal }, path, k);
  }
}

/** `record` with each nested value as {@link kept} makes it (`path`: the error's, for the names). */
function partsKept(record: ErrorRecord, path: string, k: Keeping = keeping()): ErrorRecord {
  const out: { -readonly [K in keyof ErrorRecord]: ErrorRecord[K] } = { ...record };
  k.records.set(record, out);
  if (record.objects) {
    const objects: Record<string, Nested> = {};
    for (const [key, n] of Object.entries(record.objects)) {
      const part = kept(n, `${path}.${key}`, k);
      if (part) objects[key] = part;
    }
    out.objects = objects;
  }
  if (record.cause !== undefined) {
    const cause = kept(record.cause, `${path}.cause`, k);
    if (cause) out.cause = cause;
    else delete out.cause;
  }
  const none = { value: undefined };
  if (record.errors) out.errors = record.errors.map((n, i) => kept(n, `${path}.errors[${i}]`, k) ?? none);
  if (record.suppressed) {
    const [error, suppressed] = record.suppressed;
    out.suppressed = [
      kept(error, `${path}.error`, k) ?? none,
      kept(suppressed, `${path}.suppressed`, k) ?? none,
    ];
  }
  return out;
}

/**
 * The frame answering call `seq` with the failure `value` whose frame could not be encoded: its
 * record with its sendable parts kept (else without its nested values, `leanerRecord`); undefined
 * when `value` (of `tag`) is no failure with nested values.
 */
export function keptFailureFrame(seq: number, tag: number, value: unknown): number | undefined {
  const lean = tag === FAILED ? leanerRecord(value) : undefined;
  if (!lean) return undefined;
  try {
    return answerFrame(seq, FAILED, partsKept(value as ErrorRecord, 'error'));
  } catch {
    return answerFrame(seq, FAILED, lean);
  }
}
