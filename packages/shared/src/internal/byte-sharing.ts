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

const isBuffer = (v: unknown): boolean =>
  (globalThis as { Buffer?: { isBuffer(v: unknown): boolean } }).Buffer?.isBuffer(v) === true;

/** Whether `view` spans its whole buffer. */
const spans = (view: ArrayBufferView): boolean =>
  view.byteOffset === 0 && view.byteLength === view.buffer.byteLength;

/** The byte objects one walk met (codec.ts, encodeValue to a process). */
export class ByteObjects {
  // Per buffer: its ArrayBuffer and typed arrays / DataViews met; and its Buffers met.
  readonly #plain = new Map<ArrayBufferLike, number>();
  readonly #buffers = new Map<ArrayBufferLike, number>();
  readonly #met: Met[] = [];
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
      this.buffer(obj instanceof ArrayBuffer ? obj : obj.buffer);
      return obj;
    }
    const { type, data } = copiesOut(obj) ? viewRecord(obj) : { type: WINDOW_TYPE, data: obj as unknown };
    const record = { [CODEC_TAG]: type, data };
    this.view(obj, record);
    return record;
  }

  /** An `ArrayBuffer` of the value (sent as itself). */
  buffer(ab: ArrayBufferLike): void {
    this.#plain.set(ab, (this.#plain.get(ab) ?? 0) + 1);
  }

  /** A view whose codec record is `record` (its form is settled by {@link settle}). */
  view(view: ArrayBufferView, record: CodecRecord): void {
    const buffer = isBuffer(view);
    const counts = buffer ? this.#buffers : this.#plain;
    counts.set(view.buffer, (counts.get(view.buffer) ?? 0) + 1);
    this.#met.push({ record, view, isBuffer: buffer });
  }

  /** Turns the views that share their buffer, or do not span it, into their buffer's form. */
  settle(): void {
    for (const { record, view, isBuffer: buffer } of this.#met) {
      const plain = this.#plain.get(view.buffer) ?? 0;
      const shared = buffer ? plain > 0 : plain + (this.#buffers.get(view.buffer) ?? 0) > 1 || !spans(view);
      if (!shared) continue;
      const name = buffer ? 'Buffer' : (view as { [Symbol.toStringTag]?: string })[Symbol.toStringTag];
      const length = view instanceof DataView ? view.byteLength : (view as Uint8Array).length;
      record[CODEC_TAG] = VIEW_OF_TYPE;
      record.data = [view.buffer, name ?? 'DataView', view.byteOffset, length];
    }
  }
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
