/**
 * How a socket link (socket-link.ts) builds the batch it writes, and reads runs back: frames go
 * into a {@link FrameWriter}; a big payload is its own chunk after its header (written as it is,
 * never copied into the batch); consecutive JSON values of one op and arguments (see port-link.ts)
 * become one `*_RUN` frame, one JSON text parsed at once on the other side.
 */
import { type Decoded, type Item, isDecoded } from '../protocol/item.js';
import { type FrameHandler, Op } from '../protocol/ops.js';
import { FrameWriter, HEADER_BYTES } from './frames.js';

/**
 * A payload this big is written as its own chunk after its header rather than copied into the
 * batch; a frame missing this much is read straight into its own memory.
 */
export const DIRECT_MIN_BYTES = 16 * 1024;
const textDecoder = new TextDecoder();

/** Hands each frame to `onFrame`, a run as its values one by one (`H_DATA` / `R_PUT` frames). */
export function runReader(onFrame: FrameHandler): FrameHandler {
  return (op, a, b, body) => {
    if (op !== Op.H_DATA_RUN && op !== Op.R_PUT_RUN) onFrame(op, a, b, body);
    else {
      const values = JSON.parse(textDecoder.decode((body as Uint8Array).subarray(1))) as unknown[];
      if (op === Op.H_DATA_RUN) for (const value of values) onFrame(Op.H_DATA, a, b, { value } as Decoded);
      else {
        // At home an item's size bounds what copies read ahead (read-ahead.ts): the run's average.
        const bytes = Math.ceil((body as Uint8Array).length / values.length);
        for (const value of values) onFrame(Op.R_PUT, a, b, { value, bytes } as Decoded);
      }
    }
  };
}

/** One socket link's batch being built. */
export class SocketBatch {
  readonly #writer = new FrameWriter();
  // Consecutive JSON values of the batch (see port-link.ts), written as one frame when it ends.
  #run: Decoded[] | null = null;
  #runOp = 0;
  #runA = 0;
  #runB = 0;
  #runBytes = 0;
  // Chunks of the current batch before what the writer holds: headers and big payloads.
  #chunks: Uint8Array[] = [];
  #chunkBytes = 0;

  /** Adds a frame; returns the batch's size in bytes (about, for a run). */
  append(op: number, a: number, b: number, payload?: Item): number {
    if (
      (op === Op.H_DATA || op === Op.R_PUT) &&
      payload !== undefined &&
      isDecoded(payload) &&
      !payload.moved
    ) {
      const run = this.#run;
      if (run !== null && this.#runOp === op && this.#runA === a && this.#runB === b) run.push(payload);
      else {
        this.#endRun();
        this.#run = [payload];
        this.#runOp = op;
        this.#runA = a;
        this.#runB = b;
      }
      this.#runBytes += payload.bytes ?? 64;
      return this.#chunkBytes + this.#writer.size + this.#runBytes;
    }
    this.#endRun();
    if (payload instanceof Uint8Array && payload.byteLength >= DIRECT_MIN_BYTES) {
      // Items are never changed once made, so the socket can write this one as it is.
      this.#writer.header(op, a, b, payload.byteLength);
      this.#chunks.push(this.#writer.take()!, payload);
      this.#chunkBytes += HEADER_BYTES + payload.byteLength;
    } else this.#writer.frame(op, a, b, payload);
    return this.#chunkBytes + this.#writer.size;
  }

  /** Adds the header of a frame of `size` body bytes whose body the caller writes after it. */
  header(op: number, a: number, b: number, size: number, kind: number): void {
    this.#endRun();
    this.#writer.header(op, a, b, size, kind);
  }

  /** The batch's chunks, in order (null when empty); a new batch begins. */
  take(): Uint8Array[] | null {
    this.#endRun();
    const last = this.#writer.take();
    if (this.#chunks.length === 0) return last ? [last] : null;
    const chunks = this.#chunks;
    if (last) chunks.push(last);
    this.#chunks = [];
    this.#chunkBytes = 0;
    return chunks;
  }

  // Writes the run of values as one frame: one JSON text for all of them, parsed at once there.
  #endRun(): void {
    const run = this.#run;
    if (run === null) return;
    this.#run = null;
    this.#runBytes = 0;
    if (run.length === 1) this.#writer.frame(this.#runOp, this.#runA, this.#runB, run[0]);
    else {
      const op = this.#runOp === Op.H_DATA ? Op.H_DATA_RUN : Op.R_PUT_RUN;
      this.#writer.frame(op, this.#runA, this.#runB, JSON.stringify(run.map((x) => x.value)));
    }
  }
}
