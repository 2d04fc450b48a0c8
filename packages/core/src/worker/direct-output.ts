/**
 * Worker side, threads only: a worker thread's `process.stdout`/`stderr` normally post each write
 * to the main thread, which writes it out on its own event loop. A daemon worker (or a pool
 * worker) that logs and then lets the program end, say by `taskDone()` before the main thread's
 * `jq.join()`, lost those lines: the program exited with them still in flight (1 to 50 of 50
 * arrived). Here the worker writes to file descriptors 1 and 2 itself, synchronously, as a
 * Python thread does: a line is out once `console.log()` returns. Each write is one `write(2)`
 * call, so lines from concurrent workers do not interleave (pipes keep writes of up to 4 KiB whole).
 */
import { writeSync } from 'node:fs';

// `EAGAIN`: the descriptor is a non-blocking pipe whose reader is behind; wait a little and retry.
const RETRY_WAIT_MS = 1;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

function writeAll(fd: number, data: Buffer): void {
  let offset = 0;
  while (offset < data.length) {
    try {
      offset += writeSync(fd, data, offset);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      Atomics.wait(sleeper, 0, 0, RETRY_WAIT_MS);
    }
  }
}

type Chunk = { chunk: Buffer | string; encoding: BufferEncoding };

function toBuffer(chunk: Buffer | string, encoding: BufferEncoding): Buffer {
  return typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk;
}

function redirect(stream: NodeJS.WriteStream, fd: number): void {
  const target = stream as unknown as {
    _write(chunk: Buffer | string, encoding: BufferEncoding, cb: (err?: Error | null) => void): void;
    _writev(chunks: Chunk[], cb: (err?: Error | null) => void): void;
  };
  target._write = (chunk, encoding, cb) => {
    try {
      writeAll(fd, toBuffer(chunk, encoding));
      cb();
    } catch (err) {
      cb(err as Error);
    }
  };
  target._writev = (chunks, cb) => {
    try {
      writeAll(fd, Buffer.concat(chunks.map(({ chunk, encoding }) => toBuffer(chunk, encoding))));
      cb();
    } catch (err) {
      cb(err as Error);
    }
  };
}

/** Makes this worker thread's stdout and stderr write straight to descriptors 1 and 2. */
export function writeOutputDirectly(): void {
  redirect(process.stdout, 1);
  redirect(process.stderr, 2);
}
