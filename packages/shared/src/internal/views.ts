/**
 * Byte views (a Node `Buffer`, typed arrays, `DataView`s) on their way to another process, and
 * back. V8's deserializer makes each one a window on the received message (the socket's bytes, or
 * Node's channel's, often an 8 KiB slab other messages share): `byteOffset` not 0 and a `buffer`
 * holding other bytes. Code that reads `view.buffer` would read those, where the same value sent to
 * a thread has a buffer of its own. So they travel as codec records whose decoders copy them out:
 *
 * - a `Buffer` always (it is rebuilt as a Buffer; structured clone would make it a Uint8Array);
 * - a typed array or `DataView` of at most `MAX_COPIED_VIEW_BYTES` (value-kinds.ts). A bigger one stays a window
 *   on its message: copying it would cost the receiver up to as much CPU again as the sender spent
 *   serializing it (measured: 1 MiB, 0.14 ms to copy against 0.21-0.25 ms to serialize; 16 MiB,
 *   7-12 ms against 6-8 ms), and its message holds little else (its header and the values sent
 *   with it; a big message is never in a shared slab).
 * - a `Float16Array` of any size, as a `Uint16Array` of its bits: Node's serializer numbers the
 *   typed array classes it knows, and Node 20 and 22 (no `Float16Array`) cannot read the number
 *   Node 24 gives it (they threw "Cannot read properties of undefined (reading 'BYTES_PER_ELEMENT')"
 *   on a client or worker of another Node through Redis). A Node without `Float16Array` receiving
 *   one throws a `SerializationError` saying so.
 */
import { SerializationError } from '../errors.js';
import { codecRegistry } from './codec-registry.js';
import { MAX_COPIED_VIEW_BYTES, NodeBuffer, spansBuffer } from './value-kinds.js';

export const BUFFER_TYPE = 'node.Buffer';
export const VIEW_TYPE = 'multiproc.view';
export const FLOAT16_TYPE = 'js.Float16Array';

/** Whether `view` is a `Float16Array` (by its own tag, so one of another realm is one too). */
function isFloat16(view: ArrayBufferView): boolean {
  return (view as { [Symbol.toStringTag]?: string })[Symbol.toStringTag] === 'Float16Array';
}

/** The codec record of a view a process receives copied out ({@link copiesOut}). */
export function viewRecord(view: ArrayBufferView): { type: string; data: ArrayBufferView } {
  if (!isFloat16(view)) return { type: VIEW_TYPE, data: view };
  const { buffer, byteOffset, byteLength } = view;
  return { type: FLOAT16_TYPE, data: new Uint16Array(buffer, byteOffset, byteLength / 2) };
}

/** A `Float16Array` over the bits a sender's {@link viewRecord} sent. */
function float16Of(bits: Uint16Array): unknown {
  const F16 = (globalThis as { Float16Array?: new (b: ArrayBufferLike, o: number, n: number) => unknown })
    .Float16Array;
  if (typeof F16 !== 'function') {
    const node = (globalThis as { process?: { version?: string } }).process?.version;
    throw new SerializationError(
      'value',
      `Received a Float16Array (${bits.length} item${bits.length === 1 ? '' : 's'}), but this runtime${node ? ` (Node ${node})` : ''} ` +
        'has no Float16Array class (Node 24 and later have it): it cannot be rebuilt here. Send it as ' +
        'a Float32Array (new Float32Array(values)), or run Node 24 or later on both sides.',
    );
  }
  const own = bits.byteLength <= MAX_COPIED_VIEW_BYTES ? (ownView(bits) as Uint16Array) : bits;
  return new F16(own.buffer, own.byteOffset, own.length);
}

/** `view`, or a copy of it over a buffer of its own when it is a window on a bigger one. */
function ownView(view: ArrayBufferView): ArrayBufferView {
  if (spansBuffer(view)) return view;
  if (view instanceof DataView) {
    return new DataView(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength));
  }
  return (view as Uint8Array).slice();
}

// A Buffer travels as its own bytes only (a small one is a window on a shared 8 KiB slab, which
// structured clone would copy whole) and is rebuilt as a Buffer (structured clone makes it a
// plain Uint8Array, whose toString() joins numbers).
// Registered here, not through registerCodec(): codec.ts imports this module before it has run.
const registry = codecRegistry();
registry.set(BUFFER_TYPE, (bytes: Uint8Array) => {
  const own = ownView(bytes);
  return NodeBuffer ? NodeBuffer.from(own.buffer, own.byteOffset, own.byteLength) : own;
});
registry.set(VIEW_TYPE, ownView as (data: unknown) => unknown);
registry.set(FLOAT16_TYPE, float16Of as (data: unknown) => unknown);
