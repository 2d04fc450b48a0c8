/** Home side: the handle of the thread that created the object, calling its channels directly. */

import { randomUUID } from 'node:crypto';
import type { EncodeContext } from '@multiproc/shared';
import { broker } from './broker.js';
import { Channel, type Item, type Taken } from './channel.js';
import type { Endpoint } from './endpoint.js';
import type { GetResult, Handle, HandleData, PutResult } from './handle.js';

// A producer looping on `await put()` never gives the event loop a turn (each put resolves at
// once), so frames from consumers (their credit) would wait until the loop ends. Every this many
// puts, one resolves on the next turn instead.
const PUTS_PER_TURN = 256;

export class HomeHandle implements Handle {
  readonly #ep: Endpoint;
  #closed = false;
  #puts = 0;

  constructor(ep: Endpoint) {
    this.#ep = ep;
    ep.acquire();
  }

  /** A queue: one channel, read and written by every handle. */
  static queue(maxsize: number, joinable: boolean): HomeHandle {
    const ch = new Channel({ maxsize, endsWithWriters: false, joinable });
    return new HomeHandle(broker().create(ch, ch));
  }

  /** A pipe: two handles, each writing what the other reads (one channel when one-way). */
  static pipe(duplex: boolean): [HomeHandle, HomeHandle] {
    const opts = { maxsize: 0, endsWithWriters: true, joinable: false };
    const ab = new Channel(opts);
    const ba = duplex ? new Channel(opts) : null;
    // One-way: [receive end, send end], as in Python.
    const first = broker().create(duplex ? ba : ab, duplex ? ab : null);
    const second = broker().create(duplex ? ab : null, duplex ? ba : ab);
    return [new HomeHandle(first), new HomeHandle(second)];
  }

  put(item: Item, timeoutMs: number | undefined): PutResult | Promise<PutResult> {
    const r = this.#ep.write!.put(item, timeoutMs);
    if (r !== true || ++this.#puts < PUTS_PER_TURN) return r;
    this.#puts = 0;
    return new Promise((resolve) => setImmediate(resolve, true));
  }

  sendNow(value: unknown): boolean {
    return this.#ep.write!.tryDirect(value);
  }

  putNowait(item: Item): boolean {
    return this.#ep.write!.tryPut(item);
  }

  get(timeoutMs: number | undefined): GetResult | Promise<GetResult> {
    return this.#ep.read!.take(timeoutMs);
  }

  getNowait(): Taken | undefined {
    return this.#ep.read!.tryTake();
  }

  ready(): boolean {
    const r = this.#ep.read;
    return !!r && (r.available > 0 || r.atEof);
  }

  onReady(cb: () => void): () => void {
    return this.#ep.read?.onReady(cb) ?? (() => {});
  }

  size(): number {
    return this.#ep.main.size;
  }

  full(): boolean {
    return this.#ep.main.full();
  }

  taskDone(): boolean {
    return this.#ep.main.taskDone(1);
  }

  join(): Promise<void> {
    return this.#ep.main.join();
  }

  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#ep.read?.cancelTakes(); // only this thread's handle waits here
      this.#ep.release();
    }
    return Promise.resolve();
  }

  encode(ctx: EncodeContext): HandleData {
    const b = broker();
    if (ctx.target === 'thread') {
      const port = this.#ep.openPort();
      ctx.transfer(port);
      return { path: b.path, id: this.#ep.id, port };
    }
    const token = randomUUID();
    this.#ep.reserve(token);
    b.listen();
    return { path: b.path, id: this.#ep.id, token };
  }
}
