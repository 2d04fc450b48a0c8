/**
 * The manager's own wire: after the Listener handshake, a proxy's thread and the manager talk
 * over the bare socket in small length-prefixed frames (no ipc pipe, no broker, no flow control:
 * every request gets exactly one answer, and the answers are what the caller waits for).
 *
 * ```
 * offset 0        4        8     9
 *        | length | seq    | tag | body …           |
 *        '- bytes after this field (u32 LE)
 * ```
 * A request's tag is {@link REQUEST} and its body the item of `[objectId, method, args]`; an
 * answer's tag says how it ended ({@link OK_UNDEFINED} has no body, {@link OK}: the value's item,
 * {@link FAILED}: an ErrorRecord's item). An item is serialize.ts's: JSON text after its kind byte
 * for JSON-exact values (the common case), else structured-clone bytes, so multiproc objects
 * nested in arguments and values travel by the codec as on a pipe.
 */
import { STRING_KIND } from '../link/frames.js';
import { fromItem, jsonExact, toItem } from '../serialize.js';

export const HEADER_BYTES = 9;
export const REQUEST = 0;
export const OK_UNDEFINED = 1;
export const OK = 2;
export const FAILED = 3;
/** The largest frame either side accepts (a bigger length means a broken or hostile peer). */
const MAX_FRAME_BYTES = 0x7fff_ffff;

/** One frame: the header then `value`'s item (no body for `undefined` answers). */
export function encodeFrame(seq: number, tag: number, value: unknown): Buffer {
  if (tag === OK && value === undefined) tag = OK_UNDEFINED;
  if (tag === OK_UNDEFINED) return header(Buffer.allocUnsafe(HEADER_BYTES), HEADER_BYTES, seq, tag);
  if (jsonExact(value)) {
    const text = JSON.stringify(value);
    const n = HEADER_BYTES + 1 + Buffer.byteLength(text);
    const buf = Buffer.allocUnsafe(n);
    buf[HEADER_BYTES] = STRING_KIND;
    buf.write(text, HEADER_BYTES + 1, 'utf8');
    return header(buf, n, seq, tag);
  }
  const item = toItem(value) as Uint8Array; // never a copy: the value is not JSON-exact
  const buf = Buffer.allocUnsafe(HEADER_BYTES + item.length);
  buf.set(item, HEADER_BYTES);
  return header(buf, buf.length, seq, tag);
}

function header(buf: Buffer, n: number, seq: number, tag: number): Buffer {
  buf.writeUInt32LE(n - 4, 0);
  buf.writeUInt32LE(seq, 4);
  buf[8] = tag;
  return buf;
}

/** The value a frame's body carries (`undefined` when it has none). */
export function decodeBody(buf: Buffer, start: number, end: number): unknown {
  if (end <= start) return undefined;
  if (buf[start] === STRING_KIND) return JSON.parse(buf.toString('utf8', start + 1, end));
  return fromItem(buf.subarray(start, end));
}

/** Called once per whole frame, with its body at `buf[start, end)` (empty for no body). */
export type OnFrame = (seq: number, tag: number, buf: Buffer, start: number, end: number) => void;

/** Splits a socket's chunks into frames; a chunk that is exactly one frame costs no copy. */
export class FrameSplitter {
  readonly #onFrame: OnFrame;
  #rest: Buffer | null = null;

  constructor(onFrame: OnFrame) {
    this.#onFrame = onFrame;
  }

  /** Feeds the next chunk; throws a RangeError for a frame length no peer of ours would send. */
  push(chunk: Buffer): void {
    let buf = chunk;
    if (this.#rest !== null) {
      buf = Buffer.concat([this.#rest, chunk]);
      this.#rest = null;
    }
    let at = 0;
    while (buf.length - at >= 4) {
      const n = buf.readUInt32LE(at);
      if (n < HEADER_BYTES - 4 || n > MAX_FRAME_BYTES) throw new RangeError(`Bad manager frame length ${n}.`);
      const end = at + 4 + n;
      if (end > buf.length) break;
      this.#onFrame(buf.readUInt32LE(at + 4), buf[at + 8]!, buf, at + HEADER_BYTES, end);
      at = end;
    }
    if (at < buf.length) this.#rest = buf.subarray(at);
  }
}
