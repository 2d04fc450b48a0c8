/**
 * A link over a `MessagePort` (thread context). A batch is one `postMessage` of a flat array
 * `[op, a, b, body, op, a, b, body, …]`: structured clone copies numbers and strings (JSON items)
 * far faster than it copies typed arrays (measured: a `Uint8Array` makes each `postMessage` 2-3x
 * dearer than a small object), so frames are not packed into bytes here. The port also carries
 * other ports (`attach`), used when a remote handle passes its object on to another thread.
 */
import type { MessagePort } from 'node:worker_threads';
import type { Item } from './channel.js';
import { Link } from './link.js';

export class PortLink extends Link {
  /** Receives ports sent with {@link PortLink.attach}. */
  onAttach: ((port: MessagePort) => void) | null = null;
  readonly #port: MessagePort;
  #batch: unknown[] = [];
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
    this.#batch.push(op, a, b, body);
    this.#bytes += 16 + (typeof body === 'string' ? body.length : (body?.byteLength ?? 0));
    return this.#bytes;
  }

  protected takeBatch(): unknown[] | null {
    if (this.#batch.length === 0) return null;
    const batch = this.#batch;
    this.#batch = [];
    this.#bytes = 0;
    return batch;
  }

  protected write(batch: unknown[]): void {
    this.#port.postMessage(batch);
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
