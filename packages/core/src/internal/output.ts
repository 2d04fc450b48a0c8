/**
 * Forwards a worker's stdout/stderr to the parent's stream one whole line at a time, so output from
 * concurrent workers never interleaves inside a line (Python's own output can: see the source
 * document's Ans6). A trailing partial line is written when the stream ends, as it is: a newline the
 * worker never wrote is not added (Python adds none either).
 *
 * A daemon child is not waited for, so when the program exits, lines it wrote may still sit in the
 * pipe. {@link drainAtExit} reads such pipes synchronously from the `'exit'` handler and writes out
 * what is there, so every line written before the program ended arrives.
 */
import { readSync, writeSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { saysHeapOutOfMemory } from './out-of-memory.js';

/** Pipes `source` into `target` line by line. */
class LineForwarder {
  readonly #decoder = new StringDecoder('utf8');
  #pending = '';
  #ended = false;
  /** Resolves when `source` has ended. */
  readonly done: Promise<void>;

  constructor(source: Readable, target: Writable, watch?: (text: string) => void) {
    const write = (text: string) => {
      watch?.(text);
      writeForwarded(target, text);
    };
    this.done = new Promise((resolve) => {
      source.on('data', (chunk: Buffer | string) => this.#push(chunk, write));
      const finish = () => {
        this.#finish(write);
        resolve();
      };
      source.once('end', finish);
      source.once('close', finish);
      source.once('error', finish);
    });
  }

  #push(chunk: Buffer | string, write: (text: string) => void): void {
    const text = this.#pending + (typeof chunk === 'string' ? chunk : this.#decoder.write(chunk));
    const cut = text.lastIndexOf('\n');
    if (cut === -1) {
      this.#pending = text;
      return;
    }
    this.#pending = text.slice(cut + 1);
    write(text.slice(0, cut + 1));
  }

  #finish(write: (text: string) => void): void {
    if (this.#ended) return;
    this.#ended = true;
    const rest = this.#pending + this.#decoder.end();
    this.#pending = '';
    if (rest) write(rest);
  }

  /** Reads what is left in the pipe `fd` now, without waiting, and writes it to `targetFd`. */
  drainSync(fd: number | undefined, targetFd: number, target: Writable): void {
    if (this.#ended) return;
    let open = !isClosed(target);
    const write = (text: string) => {
      if (!open) return;
      try {
        writeSync(targetFd, text);
      } catch {
        // EPIPE: the reader left (`| head -1`); what is left of the child's output is dropped.
        open = false;
      }
    };
    const buffer = Buffer.allocUnsafe(DRAIN_CHUNK_BYTES);
    for (let total = 0; fd !== undefined && total < DRAIN_LIMIT_BYTES; ) {
      let n: number;
      try {
        n = readSync(fd, buffer, 0, buffer.length, null);
      } catch {
        break; // EAGAIN: the pipe is empty for now (or already closed).
      }
      if (n === 0) break;
      total += n;
      this.#push(buffer.subarray(0, n), write);
    }
    this.#finish(write);
  }
}

/**
 * Writes a child's output to the parent's stream, or drops it once that stream is closed (the
 * program's reader left: `node app.mjs | head -1`). The write that finds the reader gone would
 * otherwise end the program with an unhandled `'error'` (EPIPE) on `process.stdout` for a line it
 * did not print. The write's callback, which runs before the stream emits the error, adds a
 * one-time listener for that very error; the program's own writes keep Node's usual behaviour.
 */
function writeForwarded(target: Writable, text: string): void {
  if (isClosed(target)) return;
  target.write(text, (error) => {
    if (!error) return;
    // Each failed write is emitted (process.stdout is never destroyed): one listener each.
    target.once('error', (emitted: unknown) => {
      // Another failure than the one this write met is the program's own: not ours to hide.
      if (emitted !== error) throw emitted;
    });
  });
}

function isClosed(target: Writable): boolean {
  return target.destroyed || target.writableEnded || Boolean(target.errored);
}

const DRAIN_CHUNK_BYTES = 64 * 1024;
/** A child still writing must not keep the exiting program reading forever. */
const DRAIN_LIMIT_BYTES = 16 * 1024 * 1024;

/** Pipes `source` into `target` line by line; resolves when `source` has ended. */
export function forwardLines(source: Readable, target: Writable): Promise<void> {
  return new LineForwarder(source, target).done;
}

type Drain = () => void;
const atExit = new Set<Drain>();
let hooked = false;

/**
 * How many children's output this realm forwards now. ipc reads it before it resolves a wait that
 * frames from a socket settled: a line such a child printed before it sent may still be in its
 * pipe, so the wait is resolved after the next poll phase, once the pipe's callback forwarded the
 * line (ipc/src/internal/link/output-order.ts). On `globalThis`: this module has a copy in each bundle.
 */
const forwarding: { live: number } = ((globalThis as Record<symbol, unknown>)[
  Symbol.for('multiproc.childOutputForwarding')
] ??= { live: 0 }) as { live: number };

function pipeFd(stream: Readable): number | undefined {
  const fd = (stream as unknown as { _handle?: { fd?: number } })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}

/**
 * Forwards a child's stdout and stderr line by line and, if the program exits first (a daemon
 * child, or `process.exit()`), drains at exit what it wrote and was not read yet. Resolves when
 * both streams have ended. `onOutOfMemory` is called once V8's out-of-memory message crosses stderr;
 * `onStderr` sees each piece of stderr text (whole lines) as it is forwarded.
 */
export function forwardChildOutput(
  stdout: Readable,
  stderr: Readable,
  onOutOfMemory?: () => void,
  onStderr?: (text: string) => void,
): Promise<void> {
  const out = new LineForwarder(stdout, process.stdout);
  let toldMemory = false;
  const err = new LineForwarder(stderr, process.stderr, (text) => {
    onStderr?.(text);
    if (toldMemory || !onOutOfMemory || !saysHeapOutOfMemory(text)) return;
    toldMemory = true;
    onOutOfMemory();
  });
  const drain: Drain = () => {
    out.drainSync(pipeFd(stdout), 1, process.stdout);
    err.drainSync(pipeFd(stderr), 2, process.stderr);
  };
  if (!hooked) process.on('exit', drainAll);
  hooked = true;
  atExit.add(drain);
  forwarding.live++;
  return Promise.all([out.done, err.done]).then(() => {
    atExit.delete(drain);
    forwarding.live--;
  });
}

function drainAll(): void {
  for (const drain of atExit) drain();
  atExit.clear();
}
