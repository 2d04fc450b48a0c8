/**
 * How a queue travels: what a copy of `Queue`, `JoinableQueue` or `SimpleQueue` carries to another
 * thread or process, and how a decoder wraps the copy's handle in the public class.
 */
import type { Handle, HandleData } from './runtime/handle.js';
import { RemoteHandle } from './runtime/remote-handle.js';
import type { Schema } from './schema.js';

export interface QueueData {
  h: HandleData;
  maxsize: number;
  schema: unknown;
}

export interface Adopted {
  readonly h: Handle;
  readonly maxsize: number;
  readonly schema: Schema<unknown> | undefined;
}

// Set just before a decoder calls a constructor, so it wraps a remote handle instead of making a queue.
let adopting: Adopted | null = null;

/** Builds a queue class around an existing handle (decoders): `make` calls its constructor. */
export function adoptQueue<Q>(
  make: () => Q,
  h: Handle,
  maxsize: number,
  schema: Schema<unknown> | undefined,
): Q {
  adopting = { h, maxsize, schema };
  try {
    return make();
  } finally {
    adopting = null;
  }
}

/** For the queue constructor: the handle a decoder is adopting, if any (taken once). */
export function takeAdopted(): Adopted | null {
  const a = adopting;
  adopting = null;
  return a;
}

/**
 * A copy's handle: its puts wait for the home's answer when the queue is bounded, unless it is a
 * thread copy with room (it takes room, and counts a JoinableQueue's task, in the queue's shared
 * count instead; remote-sync.ts). An unbounded JoinableQueue's copy in another process sends its
 * puts on their way: the home counts each task as it arrives, and a join asks that copy first
 * (protocol/flush-barrier.ts).
 */
export function remoteQueueHandle(data: QueueData, joinable: boolean): Handle {
  return new RemoteHandle(data.h, {
    maxsize: data.maxsize,
    acked: data.maxsize > 0,
    eager: false,
    joinable,
  });
}
