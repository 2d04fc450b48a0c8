/**
 * How a socket made with `onread` hands its chunks on (they go to that callback, not to 'data'
 * events), through a {@link Feed}. Nothing read is dropped while nobody reads: Deno reads a socket
 * as soon as it connects, in the middle of the promise steps that set its first sink, and a
 * manager's challenge that came then was lost (the proxy's connection timed out after 20 s).
 */
import type net from 'node:net';

/**
 * Whoever reads the socket now sets `sink` ({@link setSink}); a chunk's memory is read into again
 * after `sink` returns. `rest`: bytes read while no sink was set, or the handshake read past its
 * last message; the next sink takes them first.
 */
export interface Feed {
  sink: ((chunk: Buffer) => void) | null;
  rest: Buffer | null;
}

/** Hands `chunk` to `feed.sink`, or, while none is set, keeps a copy in `feed.rest`. */
export function feedChunk(feed: Feed, chunk: Buffer): void {
  if (feed.sink) feed.sink(chunk);
  else feed.rest = feed.rest ? Buffer.concat([feed.rest, chunk]) : Buffer.from(chunk);
}

/** Makes `sink` the reader of `feed`, handing it first what was kept for it (`feed.rest`). */
export function setSink(feed: Feed, sink: (chunk: Buffer) => void): void {
  const rest = feed.rest;
  feed.rest = null;
  feed.sink = sink;
  if (rest) sink(rest);
}

/** Node's `onread` option: chunks read into `buffer`, each handed on by {@link feedChunk}. */
export function onreadInto(buffer: Buffer, feed: Feed): net.OnReadOpts {
  return {
    buffer,
    callback: (n: number, buf: Uint8Array): boolean => {
      feedChunk(feed, (buf as Buffer).subarray(0, n));
      return true; // keep reading
    },
  };
}
