/**
 * A link over a `MessagePort` (thread context). A batch is one `postMessage` of a flat array
 * `[op, a, b, body, op, a, b, body, …]`: structured clone copies numbers and strings (JSON items)
 * far faster than it copies typed arrays (measured: a `Uint8Array` makes each `postMessage` 2-3x
 * dearer than a small object), so frames are not packed into bytes here. The port also carries
 * other ports (`attach`), used when a remote handle passes its object on to another thread.
 *
 * Big byte items ({@link movable}) are moved, not copied: their buffer goes in the transfer list
 * and is detached here. An item is always this link's own copy (made by `sendBytes()` or received
 * from a transport), so nobody else sees it go; the home, which keeps what it pushed until it is
 * reported taken, gets moved items back from the remote with `R_RETURN` (see endpoint.ts).
 */
import type { MessagePort } from 'node:worker_threads';
import type { Item } from './channel.js';
import { Op } from './frames.js';
import { Link } from './link.js';

/** Byte items at least this big are moved between threads rather than copied. */
const MOVE_MIN_BYTES = 16 * 1024;

/** Whether a port link moves `item` (transfers its buffer) instead of copying it. */
export function movable(item: Item | undefined): item is Uint8Array {
  return (
    item instanceof Uint8Array &&
    item.byteLength >= MOVE_MIN_BYTES &&
    item.byteOffset === 0 &&
    item.buffer instanceof ArrayBuffer &&
    item.byteLength === item.buffer.byteLength
  );
}

/** Whether `item` was moved away by a port link (its buffer is detached: no kind byte left). */
export function moved(item: Item): boolean {
  return typeof item !== 'string' && item.byteLength === 0;
}

interface Batch {
  frames: unknown[];
  transfer: ArrayBuffer[];
}

export class PortLink extends Link {
  /**
   * Whether items pushed to the remote (H_DATA) are moved too: only for pipe ends, whose one
   * remote reader returns what it did not use. A queue's items stay copies, so whatever a
   * consumer that died had fetched ahead goes back to the queue.
   */
  moveData = false;
  /** Receives ports sent with {@link PortLink.attach}. */
  onAttach: ((port: MessagePort) => void) | null = null;
  readonly #port: MessagePort;
  #batch: unknown[] = [];
  #transfer: ArrayBuffer[] = [];
  #bytes = 0;

  constructor(port: MessagePort) {
    super();
    this.#port = port;
    port.on('message', (msg: unknown) => {
      if (Array.isArray(msg)) {
        for (let i = 0; i < msg.length; i += 4)
          this.onFrame(msg[i], msg[i + 1], msg[i + 2], msg[i + 3] ?? '');
      } else if (msg && typeof msg === 'object' && 'attach' in msg) {
        this.onAttach?.((msg as { attach: MessagePort }).attach);
      }
    });
    port.once('close', () => this.markClosed());
    port.unref();
  }

  /** Sends `port` to the other side, after every frame sent so far. */
  attach(port: MessagePort): void {
    this.flush();
    this.#port.postMessage({ attach: port }, [port]);
  }

  needsDrain(): boolean {
    return false;
  }

  drained(): Promise<void> {
    return Promise.resolve();
  }

  protected append(op: number, a: number, b: number, payload?: Item): number {
    let body: Item | undefined = payload;
    // A view into a bigger buffer (a socket chunk) would be cloned with all of that buffer.
    if (body instanceof Uint8Array && body.byteLength !== body.buffer.byteLength) body = body.slice();
    if (movable(body) && (op !== Op.H_DATA || this.moveData)) this.#transfer.push(body.buffer as ArrayBuffer);
    this.#batch.push(op, a, b, body);
    this.#bytes += 16 + (typeof body === 'string' ? body.length : (body?.byteLength ?? 0));
    return this.#bytes;
  }

  protected takeBatch(): Batch | null {
    if (this.#batch.length === 0) return null;
    const batch: Batch = { frames: this.#batch, transfer: this.#transfer };
    this.#batch = [];
    this.#bytes = 0;
    if (this.#transfer.length > 0) this.#transfer = [];
    return batch;
  }

  protected write(batch: Batch): void {
    this.#port.postMessage(batch.frames, batch.transfer);
  }

  protected setRef(ref: boolean): void {
    if (ref) this.#port.ref();
    else this.#port.unref();
  }

  protected finishTransport(): void {}

  protected endTransport(): void {
    // Messages posted before close() are still delivered; the peer's 'close' comes after them.
    this.#port.close();
  }
}
