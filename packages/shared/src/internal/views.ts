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
 */
import { codecRegistry } from './codec-registry.js';
import { NodeBuffer, spansBuffer } from './value-kinds.js';

export const BUFFER_TYPE = 'node.Buffer';
export const VIEW_TYPE = 'multiproc.view';

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
