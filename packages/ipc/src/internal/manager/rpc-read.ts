/**
 * Reads the manager's frames (the format is drawn in rpc.ts): the call a request carries, the
 * value an answer carries. One module-level read position serves every decode, as a frame is
 * decoded whole before the next one.
 */
import type { PendingLoad } from '@multiproc/shared';
import { STRING_KIND } from '../link/frames.js';
import { fromItem } from '../serialize.js';
import { FALSE, FLOAT, INT, ITEM, NULL, SHORT, STRING, TRUE, UNDEFINED } from './rpc.js';

// Where take() reads next, and where it reports the loads its values need (decodeAnswer's).
let pos = 0;
let loadsOut: PendingLoad[] | undefined;

function take(buf: Buffer): unknown {
  const type = buf[pos++];
  switch (type) {
    case UNDEFINED:
      return undefined;
    case NULL:
      return null;
    case FALSE:
      return false;
    case TRUE:
      return true;
    case INT:
      pos += 4;
      return buf.readInt32LE(pos - 4);
    case FLOAT:
      pos += 8;
      return buf.readDoubleLE(pos - 8);
  }
  const n = buf.readUInt32LE(pos);
  const start = pos + 4;
  pos = start + n;
  if (pos > buf.length) throw new RangeError('Malformed manager frame.');
  if (type === STRING) return takeString(buf, start, pos);
  if (type !== ITEM) throw new RangeError(`Bad manager value type ${type}.`);
  if (buf[start] === STRING_KIND) return JSON.parse(buf.toString('utf8', start + 1, pos));
  // Bytes and typed arrays come out as views of the item: of a copy in memory of their own, as
  // `buf` may be a socket's read buffer, read into again by the next chunk.
  return fromItem(new Uint8Array(buf.subarray(start, pos)), false, loadsOut);
}

function takeString(buf: Buffer, start: number, end: number): string {
  if (end - start > SHORT) return buf.toString('utf8', start, end);
  let s = '';
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c > 0x7f) return buf.toString('utf8', start, end);
    s += String.fromCharCode(c);
  }
  return s;
}

/** The call a request frame's body at `buf[start, end)` carries. */
export function decodeRequest(
  buf: Buffer,
  start: number,
  end: number,
): [id: number, method: string, args: unknown[]] {
  const id = buf.readUInt32LE(start);
  pos = start + 4;
  const method = take(buf);
  if (typeof method !== 'string') throw new TypeError('Malformed manager request.');
  const args: unknown[] = [];
  while (pos < end) args.push(take(buf));
  if (pos !== end) throw new RangeError('Malformed manager request.');
  return [id, method, args];
}

/** The method a request names whose arguments could not be decoded ('' if unreadable too). */
export function requestMethod(buf: Buffer, start: number, end: number): string {
  try {
    pos = start + 4;
    const method = end - start >= 4 ? take(buf) : '';
    return typeof method === 'string' ? method : '';
  } catch {
    return '';
  }
}

/**
 * The value an answer frame's body at `buf[start, end)` carries; `loads` collects the loads it needs
 * before the caller gets it (a task reference's module: shared's decode-loads.ts).
 */
export function decodeAnswer(buf: Buffer, start: number, end: number, loads?: PendingLoad[]): unknown {
  pos = start;
  loadsOut = loads;
  try {
    const v = take(buf);
    if (pos !== end) throw new RangeError('Malformed manager answer.');
    return v;
  } finally {
    loadsOut = undefined;
  }
}
