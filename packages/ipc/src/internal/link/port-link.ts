/**
 * A link over a `MessagePort` (thread context). A batch is one `postMessage` of a flat array
 * `[op, a, b, body, …]`: structured clone copies numbers and strings (JSON items) far faster than typed
 * arrays (measured: a `Uint8Array` makes each `postMessage` 2-3x dearer than a small object), so frames
 * are not packed into bytes here. The port also carries ports (`attach`: a handle sent on to a thread).
 *
 * Big byte items ({@link movable}) a copy puts are moved (their buffer in the transfer list, detached
 * there): an item is always this link's own copy (made by `sendBytes()` or received), so nobody else
 * sees it go. Items the home pushes (`H_DATA`) are copied, never moved: the home keeps each until the
 * copy reports it taken, so a thread that ends with items unused loses none (its port's close gives
 * them back; a moved one was lost with the thread, test/chaos-58-pipe-bytes.test.ts).
 *
 * Consecutive JSON items of one batch travel as one JSON array text (a run: `R_PUT_RUN`,
 * `H_DATA_RUN`): one `JSON.stringify` of the batch's values costs about a third of one per item
 * (measured on Node 20), cloning one string is cheaper than cloning hundreds of values, and the
 * receiver parses the whole run at once, about twice as fast as item by item. An `H_DATA_RUN`
 * frame's `b` carries the run's length above the tag's three bits ({@link RUN_LENGTH_SHIFT}), so a
 * copy can buffer the text as it is and parse it only when it gets there (protocol/item-buffer.ts).
 */
import type { MessagePort } from 'node:worker_threads';
import { type Decoded, type Item, isDecoded, movable } from '../protocol/item.js';
import { Op } from '../protocol/ops.js';
import { Link } from './link.js';
import { receiveOn } from './receive-on.js';
import { tellAtTurnEnd } from './scheduler.js';

/** An `H_DATA_RUN` frame's `b` is `tag + length * 2^RUN_LENGTH_SHIFT` (tags, MOVED_TAG included, are below 8). */
const RUN_LENGTH_SHIFT = 3;
const RUN_TAG_MASK = (1 << RUN_LENGTH_SHIFT) - 1;

export class PortLink extends Link {
  /**
   * Receives a run of `n` JSON values pushed to a copy (`H_DATA_RUN`: `epoch`, `tag`) as its JSON
   * array text, unparsed, when set; without it each value comes to `onFrame` as an `H_DATA` frame.
   */
  onDataRun: ((epoch: number, tag: number, text: string, n: number) => void) | null = null;
  /** Receives ports sent with {@link PortLink.attach}, with the shared memory sent along. */
  onAttach: ((port: MessagePort, shared: unknown) => void) | null = null;
  readonly #port: MessagePort;
  #batch: unknown[] = [];
  #transfer: ArrayBuffer[] = [];
  #bytes = 0;
  // The run being filled (its values, or texts once a text item joined it: see takeBatch), its op
  // and epoch, and where each run of the batch sits.
  #run: unknown[] | null = null;
  #runTexts = false;
  #runOp = 0;
  #runA = 0;
  #runB = 0;
  #runs: number[] = [];
  #textRuns = new Set<unknown[]>();
  // A send already went out at once this turn (postNow): the sends after it batch.
  #hot = false;
  // A message is being handled: what the port holds after it waits (readNow).
  #reading = false;

  constructor(port: MessagePort) {
    super();
    this.#port = port;
    port.on('message', (msg: unknown) => this.#dispatch(msg));
    port.once('close', () => this.markClosed());
    port.unref();
  }

  /**
   * The thread that held the other end has ended (its Worker's 'exit'), so everything it posted is
   * queued here already: handles it now and closes, rather than when the port's 'close' event
   * comes, which Node may deliver after the 'exit' (issue 19: a put left waiting for room by a
   * killed thread was admitted by a get made after its Process was joined).
   */
  peerEnded(): void {
    if (this.closed) return;
    for (let m = receiveOn(this.#port); m !== undefined; m = receiveOn(this.#port)) this.#dispatch(m.message);
    this.markClosed();
    this.#port.close();
  }

  /**
   * Handles now, in order, what the other side has posted and this thread's event loop has not
   * delivered yet (`receiveMessageOnPort`; catch-up.ts); whether any came. Does nothing while this
   * link's own message is being handled (its later messages come after it).
   */
  readNow(): boolean {
    if (this.#reading || this.closed) return false;
    let m = receiveOn(this.#port);
    const read = m !== undefined;
    for (; m !== undefined && !this.closed; m = receiveOn(this.#port)) this.#dispatch(m.message);
    return read;
  }

  #dispatch(msg: unknown): void {
    const was = this.#reading;
    this.#reading = true;
    try {
      this.#handle(msg);
    } finally {
      this.#reading = was;
    }
  }

  #handle(msg: unknown): void {
    if (Array.isArray(msg)) this.#receive(msg);
    else if (msg && typeof msg === 'object' && 'attach' in msg) {
      const m = msg as { attach: MessagePort; shared: unknown };
      this.onAttach?.(m.attach, m.shared);
    }
  }

  #receive(msg: unknown[]): void {
    this.onBatch();
    for (let i = 0; i < msg.length; i += 4) {
      const op = msg[i] as number;
      const a = msg[i + 1] as number;
      if (op === Op.H_DATA_RUN) {
        const b = msg[i + 2] as number;
        const tag = b & RUN_TAG_MASK;
        if (this.onDataRun !== null) this.onDataRun(a, tag, msg[i + 3] as string, b >>> RUN_LENGTH_SHIFT);
        else {
          const values = JSON.parse(msg[i + 3] as string) as unknown[];
          for (const value of values) this.onFrame(Op.H_DATA, a, tag, { value } as Decoded);
        }
      } else if (op === Op.R_PUT_RUN) {
        const text = msg[i + 3] as string;
        const values = JSON.parse(text) as unknown[];
        // At home an item's size bounds what copies read ahead (read-ahead.ts): the run's average.
        const bytes = Math.ceil(text.length / values.length);
        const b = msg[i + 2] as number;
        for (const value of values) this.onFrame(Op.R_PUT, a, b, { value, bytes } as Decoded);
      } else if (op === Op.H_DATA_VALUE) {
        // The home kept a copy of it (home.ts sendNow): used here or not, nothing goes back.
        this.onFrame(Op.H_DATA, a, msg[i + 2] as number, { value: msg[i + 3] } as Decoded);
      } else if (op === Op.R_PUT_VALUE) {
        this.onFrame(Op.R_PUT, a, 0, { value: msg[i + 3] } as Decoded);
      } else this.onFrame(op, a, msg[i + 2] as number, (msg[i + 3] as Item | undefined) ?? '');
    }
  }

  /**
   * Sends a frame now, behind whatever this turn batched so far, its body cloned by the port right
   * away (a snapshot, as a send must take), if it is the first such send of this turn; false
   * otherwise (or refused), and the caller batches it. The latency path: a ping-pong's reply skips
   * JSON on both sides, the reports due ride along, and a burst of sends still travels as one batch.
   */
  postNow(op: number, a: number, b: number, value: unknown): boolean {
    if (this.#hot || !this.sending) return false;
    this.#hot = true;
    tellAtTurnEnd(this);
    this.startFlush(); // what this thread sent before goes first, this link's report with it
    this.#run = null;
    this.#batch.push(op, a, b, value);
    const frames = this.takeBatch()!;
    const transfer = this.#transfer;
    try {
      this.write(frames);
    } catch {
      // Structured clone refused what passed as JSON-exact (a Proxy reads like its target; a getter
      // threw when read again), posting nothing: the frames before it leave alone, and the caller
      // sends it as for a process (serialize.ts: a JSON copy, or SerializationError to the sender).
      frames.length -= 4;
      this.#transfer = transfer;
      if (frames.length > 0) this.write(frames);
      return false;
    }
    return true;
  }

  // A text item joins a run of values: the values become their texts, and so will later ones.
  #toTexts(run: unknown[]): void {
    for (let i = 0; i < run.length; i++) run[i] = JSON.stringify(run[i]);
    this.#runTexts = true;
    this.#textRuns.add(run);
  }

  /** @internal The scheduler: the turn is over, the next send may leave at once again. */
  turnEnded(): void {
    this.#hot = false;
  }

  /** Sends `port` (and `shared`, shared memory) to the other side, after every frame sent so far. */
  attach(port: MessagePort, shared: unknown): void {
    this.flushAll();
    this.#port.postMessage({ attach: port, shared }, [port]);
  }

  /**
   * Sends what is pending, then blocks this thread, handling what the other side sends, until
   * `until()` holds or `deadline` (a `Date.now()` value) passes; false then. The other side bumps
   * `wake[index]` after it posted its answer (home-runtime.ts), which ends each wait at once.
   */
  waitSync(until: () => boolean, deadline: number, wake: Int32Array, index: number): boolean {
    this.flush();
    for (;;) {
      // Read before looking at the port: a bump after this read ends the wait below at once.
      const seen = Atomics.load(wake, index);
      for (let m = receiveOn(this.#port); m !== undefined; m = receiveOn(this.#port))
        this.#dispatch(m.message);
      if (until()) return true;
      const left = deadline - Date.now();
      if (left <= 0 || this.closed) return false;
      Atomics.wait(wake, index, seen, left);
    }
  }

  flushSync(): boolean {
    // A port's messages are delivered before its close, even when this thread ends right after.
    const frames = this.takeBatchNow() as unknown[] | null;
    if (frames !== null) this.write(frames);
    return true;
  }

  needsDrain(): boolean {
    return false;
  }

  drained(): Promise<void> {
    return Promise.resolve();
  }

  protected append(op: number, a: number, b: number, payload?: Item): number {
    if ((op === Op.H_DATA || op === Op.R_PUT) && isJson(payload)) {
      const text = typeof payload === 'string';
      if (this.#run !== null && this.#runOp === op && this.#runA === a && this.#runB === b) {
        if (text && !this.#runTexts) this.#toTexts(this.#run);
        this.#run.push(
          this.#runTexts && !text ? JSON.stringify(payload.value) : text ? payload : payload.value,
        );
      } else {
        this.#run = [text ? payload : payload.value];
        this.#runTexts = text;
        this.#runOp = op;
        this.#runA = a;
        this.#runB = b;
        this.#runs.push(this.#batch.length);
        this.#batch.push(op === Op.H_DATA ? Op.H_DATA_RUN : Op.R_PUT_RUN, a, b, this.#run);
        // A run of texts is marked by its own array (see takeBatch).
        if (text) this.#textRuns.add(this.#run);
      }
      this.#bytes += typeof payload === 'string' ? payload.length + 1 : (payload.bytes ?? 64);
      return this.#bytes;
    }
    this.#run = null;
    let body: Item | undefined = payload;
    // A view into a bigger buffer (a socket chunk) would be cloned with all of that buffer.
    if (body instanceof Uint8Array && body.byteLength !== body.buffer.byteLength) body = body.slice();
    if (movable(body) && op !== Op.H_DATA) this.#transfer.push(body.buffer as ArrayBuffer);
    this.#batch.push(op, a, b, body);
    this.#bytes +=
      16 + (typeof body === 'string' ? body.length : body instanceof Uint8Array ? body.byteLength : 64);
    return this.#bytes;
  }

  protected takeBatch(): unknown[] | null {
    if (this.#batch.length === 0) return null;
    const frames = this.#batch;
    for (const at of this.#runs) {
      const run = frames[at + 3] as unknown[];
      // One stringify for all the values; texts (JSON already) are joined.
      frames[at + 3] = this.#textRuns.has(run) ? `[${run.join(',')}]` : JSON.stringify(run);
      if (frames[at] === Op.H_DATA_RUN)
        frames[at + 2] = (frames[at + 2] as number) + run.length * (1 << RUN_LENGTH_SHIFT);
    }
    if (this.#runs.length > 0) this.#runs = [];
    if (this.#textRuns.size > 0) this.#textRuns.clear();
    this.#run = null;
    this.#batch = [];
    this.#bytes = 0;
    return frames;
  }

  // Always right after takeBatch(), so the buffers to move are still the batch's (no object per
  // batch to carry them: a ping-pong posts one batch per message).
  protected write(frames: unknown[]): void {
    const transfer = this.#transfer;
    if (transfer.length === 0) this.#port.postMessage(frames);
    else {
      this.#transfer = [];
      this.#port.postMessage(frames, transfer);
    }
  }

  protected setRef(ref: boolean): void {
    if (ref) this.#port.ref();
    else this.#port.unref();
  }

  protected endTransport(): void {
    // Messages posted before close() are still delivered; the peer's 'close' comes after them.
    this.#port.close();
  }
}

// A JSON item that can join a run: JSON text, or a private JSON-exact value (not one to return).
function isJson(item: Item | undefined): item is string | Decoded {
  return typeof item === 'string' || (item !== undefined && isDecoded(item) && item.moved !== true);
}
