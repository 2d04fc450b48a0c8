/**
 * Byte objects that share an `ArrayBuffer`, on their way to a process (or through a queue, pipe or
 * manager, whose values are encoded for one). Node's serializer writes each typed array, `DataView`
 * and `Buffer` as its own bytes: views of one buffer would arrive each over a private buffer at
 * offset 0, and apart from the `ArrayBuffer` sent with them, where structured clone (and a thread)
 * keeps one buffer and every view's `byteOffset`. So a view that shares its buffer with another
 * byte object of the value, or that does not span it, travels as its buffer (which the serializer
 * writes once, however often it is met) with its class, `byteOffset` and length, and is rebuilt
 * over it. A view alone on its whole buffer keeps the cheaper own-bytes form (views.ts). A `Buffer`
 * shares only with an `ArrayBuffer` or a typed array of the value: two small Buffers on Node's
 * 8 KiB pool slab still travel as their own bytes, not with the slab (they arrive apart, as before).
 */
import { CODEC_TAG, type CodecTarget } from '../codec-types.js';
import { SerializationError } from '../errors.js';
import { codecRegistry } from './codec-registry.js';
import { copiesOut } from './value-kinds.js';
import { viewRecord } from './views.js';

/** A view rebuilt over its buffer: `[buffer, class name, byteOffset, length]`. */
export const VIEW_OF_TYPE = 'multiproc.viewOf';
/** A view bigger than views.ts copies out, alone on its buffer: kept as the serializer gives it. */
export const WINDOW_TYPE = 'multiproc.window';

type CodecRecord = { [CODEC_TAG]: string; data: unknown };

interface Met {
  readonly record: CodecRecord;
  readonly view: ArrayBufferView;
  readonly isBuffer: boolean;
}

/** Whether `view` spans its whole buffer. */
const spans = (view: ArrayBufferView): boolean =>
  view.byteOffset === 0 && view.byteLength === view.buffer.byteLength;

/** The byte objects one walk met (codec.ts, encodeValue): made at its first one. */
export class ByteObjects {
  // The buffers of the ArrayBuffers, typed arrays and DataViews met (the walk meets each object once).
  readonly #plain: ArrayBufferLike[] = [];
  // The views met as codec records: every one to a process, only Buffers to a thread.
  readonly #met: Met[] = [];
  #buffers = 0; // how many of `#met` are Buffers
  // To a thread, structured clone keeps typed arrays and DataViews as they are: only a Buffer's
  // record (its own bytes, as a Buffer) needs the buffer it shares.
  readonly #target: CodecTarget;

  constructor(target: CodecTarget) {
    this.#target = target;
  }

  /**
   * What the walk sends for `obj`: an `ArrayBuffer` itself, so a view to a thread; a view to a process,
   * its codec record (views.ts copies a small one out; a bigger one stays as received), whose form
   * {@link settle} decides.
   */
  encode(obj: ArrayBuffer | ArrayBufferView): unknown {
    if (obj instanceof ArrayBuffer || this.#target === 'thread') {
      this.#plain.push(obj instanceof ArrayBuffer ? obj : obj.buffer);
      return obj;
    }
    const { type, data } = copiesOut(obj) ? viewRecord(obj) : { type: WINDOW_TYPE, data: obj as unknown };
    const record = { [CODEC_TAG]: type, data };
    this.view(obj, record);
    return record;
  }

  /** A view whose codec record is `record` (its form is settled by {@link settle}); `buffer`: a Buffer. */
  view(view: ArrayBufferView, record: CodecRecord, buffer = false): void {
    if (buffer) this.#buffers++;
    else this.#plain.push(view.buffer);
    this.#met.push({ record, view, isBuffer: buffer });
  }

  /** Turns the views that share their buffer, or do not span it, into their buffer's form. */
  settle(): void {
    const met = this.#met;
    if (met.length === 0) return;
    const total = this.#plain.length + this.#buffers;
    // Counted by scanning while there are few (the usual case), else by maps.
    const plainCounts = total > 16 ? countsOf(this.#plain) : undefined;
    const bufferCounts =
      total > 16 ? countsOf(met.flatMap((m) => (m.isBuffer ? [m.view.buffer] : []))) : undefined;
    for (const { record, view, isBuffer: buffer } of met) {
      let shared: boolean;
      if (total === 1) shared = !buffer && !spans(view);
      else {
        const ab = view.buffer;
        const others = plainCounts ? (plainCounts.get(ab) ?? 0) : count(this.#plain, ab);
        const buffers =
          buffer || this.#buffers === 0
            ? 0
            : bufferCounts
              ? (bufferCounts.get(ab) ?? 0)
              : count(met, ab, true);
        shared = buffer ? others > 0 : others + buffers > 1 || !spans(view);
      }
      if (!shared) continue;
      const name = buffer ? 'Buffer' : (view as { [Symbol.toStringTag]?: string })[Symbol.toStringTag];
      const length = view instanceof DataView ? view.byteLength : (view as Uint8Array).length;
      record[CODEC_TAG] = VIEW_OF_TYPE;
      record.data = [view.buffer, name ?? 'DataView', view.byteOffset, length];
    }
  }
}

function countsOf(buffers: readonly ArrayBufferLike[]): Map<ArrayBufferLike, number> {
  const counts = new Map<ArrayBufferLike, number>();
  for (const b of buffers) counts.set(b, (counts.get(b) ?? 0) + 1);
  return counts;
}

/** How many of `items` use buffer `ab` (of `met`, the Buffers only). A value holds few byte objects. */
function count(items: readonly (ArrayBufferLike | Met)[], ab: ArrayBufferLike, buffers = false): number {
  let n = 0;
  for (const item of items) {
    if (!buffers) n += item === ab ? 1 : 0;
    else if ((item as Met).isBuffer && (item as Met).view.buffer === ab) n++;
  }
  return n;
}

type ViewClass = new (buffer: ArrayBufferLike, byteOffset: number, length: number) => unknown;

/** A view over `buffer`, of the class a sender's {@link ByteObjects.settle} named. */
function viewOf([buffer, name, byteOffset, length]: [ArrayBufferLike, string, number, number]): unknown {
  const NodeBuffer = (globalThis as unknown as { Buffer?: { from: (...a: unknown[]) => unknown } }).Buffer;
  if (name === 'Buffer') {
    return NodeBuffer
      ? NodeBuffer.from(buffer, byteOffset, length)
      : new Uint8Array(buffer, byteOffset, length);
  }
  const View = (globalThis as Record<string, unknown>)[name];
  if (typeof View !== 'function' || !/^(?:[A-Z][a-z0-9]*)+Array$|^DataView$/.test(name)) {
    throw new SerializationError(
      'value',
      `Received a ${name} over a shared ArrayBuffer, but this runtime has no ${name} class: it cannot be rebuilt here` +
        (name === 'Float16Array' ? ' (Node 24 and later have it). Send a Float32Array instead.' : '.'),
    );
  }
  return new (View as ViewClass)(buffer, byteOffset, length);
}

const registry = codecRegistry();
registry.set(VIEW_OF_TYPE, viewOf as (data: unknown) => unknown);
registry.set(WINDOW_TYPE, (data: unknown) => data);
