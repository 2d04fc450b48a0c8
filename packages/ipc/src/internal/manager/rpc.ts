/**
 * The manager's own wire: after the Listener handshake, a proxy's thread and the manager talk
 * over the bare socket in small length-prefixed frames (no ipc pipe, no broker, no flow control:
 * every request gets exactly one answer, and the answer is what the caller waits for).
 *
 * ```
 * offset 0        4        8     9
 *        | length | seq    | tag | body …                                      |
 *        '- bytes after this field (u32 LE)
 * request body:  | objectId (u32 LE) | method (a string value) | each argument's value … |
 * answer body:   | the value (tag OK) or the ErrorRecord (tag FAILED)                      |
 * ```
 * A request with tag QUIET (a pipelined lock release or write, see client.ts) gets no answer when
 * it succeeds; when it fails, its answer has tag LATE and carries the object id in the seq field,
 * as the proxy that sent it has long moved on and reports the error on its next call of that
 * object. A request with tag WRITE is answered like REQUEST and first registers its connection as
 * a writer that pipelines writes of its object (writers.ts).
 * A value is one type byte then its payload: undefined, null, false, true (no payload), an int32,
 * a float64, a string (u32 byte length, UTF-8), or an item (u32 length, then serialize.ts's item:
 * JSON text for JSON-exact objects, else structured-clone bytes, so multiproc objects nested in
 * arguments travel by the codec as on a pipe). The common calls (a lock's acquire, a dict's get
 * and set of strings and numbers) thus cost no JSON and no native call to encode or decode.
 *
 * This file owns the format and writes frames; rpc-read.ts reads them.
 */
import { STRING_KIND } from '../link/frames.js';
import { jsonExact, toItem } from '../serialize.js';

export const HEADER_BYTES = 9;
export const REQUEST = 0;
export const OK = 1;
export const FAILED = 2;
/** A request whose success is not answered (a pipelined release). */
export const QUIET = 3;
/** The failure of a QUIET request; its seq field is the object id. */
export const LATE = 4;
/** A request (answered) that registers its connection as a pipelining writer of its object. */
export const WRITE = 5;
/**
 * A Lock's acquire (answered) that accepts a lease (client-lease.ts): the answer {@link LEASED}
 * says the lock is held here and leased to this connection.
 */
export const LEASE = 6;
/** The manager asks for a Lock's lease back (no answer; its seq field is the object id). */
export const REVOKE = 7;
/**
 * The manager was shut down (server to client, seq 0, no answer to anything): what the connection
 * sent and was not answered is moot, the objects went with the manager, so its end is no loss.
 */
export const SHUT_DOWN = 8;
/**
 * The answer of a call of tag LEASE that leases a data object (a dict) to its connection: its value
 * is `[result, entries]`, the object's entries after the call (client-data-lease.ts).
 */
export const GRANTED = 9;
/** A LEASE acquire's answer: true, and the lock stays leased to this connection after its release. */
export const LEASED = 2;
/**
 * The method (sent QUIET, never by a proxy's `callMethod`) that gives a Lock's lease back, with
 * one argument: whether this connection holds the lock now (it then stays held, as an ordinary hold).
 */
export const LEASE_BACK = 'leaseBack';
/** The manager method (object id 0) that answers once every earlier frame of its connection ran. */
export const SYNC = 'sync';
/**
 * The manager method (object id 0, QUIET, the connection's first frame) by which a pool worker's
 * connection says whose tasks it runs (`pid:threadId`): stuck.ts counts it as no live party of that
 * thread's manager, since it runs code only while a task from there runs.
 */
export const TASKS_FROM = 'tasksFrom';
/**
 * The manager method (object id 0, sent QUIET) by which a connection says its thread or process is
 * ending normally: what it holds of a plain Lock or a semaphore then stays held when it closes.
 */
export const ENDS_NORMALLY = 'endsNormally';

// A value's type byte (rpc-read.ts decodes them).
export const UNDEFINED = 0;
export const NULL = 1;
export const FALSE = 2;
export const TRUE = 3;
export const INT = 4;
export const FLOAT = 5;
export const STRING = 6;
export const ITEM = 7;
/** Strings up to this many chars are checked and copied byte by byte (cheaper than a native call). */
export const SHORT = 32;
/** The write buffer is given back after a frame bigger than this (one big value). */
const KEEP_BYTES = 64 * 1024;

// Frames are written here, then copied out at their exact size.
let out = Buffer.allocUnsafe(4096);
let at = 0;

function room(n: number): void {
  if (at + n <= out.length) return;
  const bigger = Buffer.allocUnsafe(Math.max(out.length * 2, at + n));
  out.copy(bigger, 0, 0, at);
  out = bigger;
}

function put(v: unknown, path: string): void {
  room(9);
  switch (typeof v) {
    case 'undefined':
      out[at++] = UNDEFINED;
      return;
    case 'boolean':
      out[at++] = v ? TRUE : FALSE;
      return;
    case 'number':
      if ((v | 0) === v && !Object.is(v, -0)) {
        out[at] = INT;
        out.writeInt32LE(v, at + 1);
        at += 5;
      } else {
        out[at] = FLOAT;
        out.writeDoubleLE(v, at + 1);
        at += 9;
      }
      return;
    case 'string':
      if (putString(v)) return;
      break;
    case 'object':
      if (v === null) {
        out[at++] = NULL;
        return;
      }
  }
  // Objects, bigints, strings UTF-8 cannot carry (lone surrogates): as an item.
  if (jsonExact(v)) {
    const text = JSON.stringify(v);
    room(6 + utf8Room(text));
    out[at + 5] = STRING_KIND;
    const n = 1 + out.write(text, at + 6, 'utf8');
    out[at] = ITEM;
    out.writeUInt32LE(n, at + 1);
    at += 5 + n;
    return;
  }
  const item = toItem(v, path) as Uint8Array; // not JSON-exact: structured-clone bytes
  room(5 + item.length);
  out[at] = ITEM;
  out.writeUInt32LE(item.length, at + 1);
  out.set(item, at + 5);
  at += 5 + item.length;
}

/**
 * Room for `s` as UTF-8: at most 3 bytes a char, counted exactly for a long string (a 50 MiB one
 * would ask for 150 MiB).
 */
function utf8Room(s: string): number {
  return s.length <= KEEP_BYTES ? s.length * 3 : Buffer.byteLength(s, 'utf8');
}

/** ES2024's `String.prototype.isWellFormed` (Node 20+), not yet in this project's lib. */
type WellFormed = string & { isWellFormed(): boolean };

/** Writes a string value; false when UTF-8 would not give it back exactly. */
function putString(s: string): boolean {
  const n = s.length;
  if (n <= SHORT) {
    room(5 + n);
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) break;
      out[at + 5 + i] = c;
    }
    if (i === n) {
      out[at] = STRING;
      out.writeUInt32LE(n, at + 1);
      at += 5 + n;
      return true;
    }
  }
  if (!(s as WellFormed).isWellFormed()) return false;
  room(5 + utf8Room(s));
  const bytes = out.write(s, at + 5, 'utf8');
  out[at] = STRING;
  out.writeUInt32LE(bytes, at + 1);
  at += 5 + bytes;
  return true;
}

// Completes the frame at out[0, at) with its header; returns its length.
function finish(seq: number, tag: number): number {
  out.writeUInt32LE(at - 4, 0);
  out.writeUInt32LE(seq, 4);
  out[8] = tag;
  return at;
}

/**
 * The buffer the last frame was encoded into (its bytes are `[0, n)`, `n` what encoding returned),
 * valid until the next encoding: write it at once (frame-io.ts) or copy it ({@link copyFrame}).
 */
export function encoded(): Buffer {
  return out;
}

/** A copy of the last frame encoded, `n` bytes (for a frame that must wait, and for tests). */
export function copyFrame(n: number): Buffer {
  const f = Buffer.allocUnsafe(n);
  if (n <= 64) for (let i = 0; i < n; i++) f[i] = out[i]!;
  else out.copy(f, 0, 0, n);
  return f;
}

/** Gives a grown write buffer back after a big frame was written out. */
export function shrink(): void {
  if (out.length > KEEP_BYTES) out = Buffer.allocUnsafe(4096);
}

// The names of the arguments of the next object call encoded (see argNames), or null.
let names: readonly string[] | null = null;

/**
 * The next call of a served object encoded (not a lease given back) names its arguments `next`
 * in a SerializationError (`value.onDone`, not `args[1].onDone`); returns a function that says
 * whether it was encoded (and forgets `next` if not).
 */
export function argNames(next: readonly string[]): () => boolean {
  names = next;
  return () => {
    const used = names !== next;
    if (!used) names = null;
    return used;
  };
}

/**
 * Encodes a request frame (call `method` of object `id` with `args`) into {@link encoded}; returns
 * its length. SerializationError names a bad argument.
 */
export function requestFrame(
  seq: number,
  id: number,
  method: string,
  args: readonly unknown[],
  tag = REQUEST,
): number {
  const named = id === 0 || method === LEASE_BACK ? null : names;
  if (named !== null) names = null;
  at = HEADER_BYTES;
  room(4);
  out.writeUInt32LE(id, at);
  at += 4;
  put(method, 'method');
  for (let i = 0; i < args.length; i++) put(args[i], named?.[i] ?? `args[${i}]`);
  return finish(seq, tag);
}

/** Encodes an answer frame (`value` with tag OK, an ErrorRecord with FAILED) into {@link encoded}. */
export function answerFrame(seq: number, tag: number, value: unknown): number {
  at = HEADER_BYTES;
  put(value, 'result');
  return finish(seq, tag);
}

/** A request frame, as its own buffer (see {@link requestFrame}). */
export function encodeRequest(
  seq: number,
  id: number,
  method: string,
  args: readonly unknown[],
  tag = REQUEST,
): Buffer {
  const f = copyFrame(requestFrame(seq, id, method, args, tag));
  shrink();
  return f;
}

/** An answer frame, as its own buffer (see {@link answerFrame}). */
export function encodeAnswer(seq: number, tag: number, value: unknown): Buffer {
  const f = copyFrame(answerFrame(seq, tag, value));
  shrink();
  return f;
}
