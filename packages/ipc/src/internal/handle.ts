/**
 * What a public object (Connection, Queue, …) holds: a handle on its channel(s). The handle is
 * either at home ({@link HomeHandle}: direct calls on the channel) or remote ({@link RemoteHandle}:
 * frames over a link); the public classes do not care which.
 */

import type { MessagePort } from 'node:worker_threads';
import type { EncodeContext } from '@multiproc/shared';
import type { EOF, Item, TIMEOUT } from './channel.js';

/** How a copy finds the home: always the home's socket path and object id; a port or a token. */
export interface HandleData {
  readonly path: string;
  readonly id: number;
  readonly port?: MessagePort;
  readonly token?: string;
}

export type PutResult = boolean | typeof EOF;
export type GetResult = Item | typeof EOF | typeof TIMEOUT;

export interface Handle {
  /** Adds an item; false when it timed out waiting for room; EOF when the home is gone. */
  put(item: Item, timeoutMs: number | undefined): PutResult | Promise<PutResult>;
  /**
   * Sends a JSON-exact value at once, without serializing it, when nothing is waiting to go
   * before it and a port carries it (the latency path of a pipe); false when it cannot.
   */
  sendNow(value: unknown): boolean;
  /** Adds an item if there is room (as far as this side knows), without waiting. */
  putNowait(item: Item): boolean;
  /** Takes an item, synchronously when one is here. */
  get(timeoutMs: number | undefined): GetResult | Promise<GetResult>;
  /** Takes an item that is already here; undefined when none is. */
  getNowait(): Item | typeof EOF | undefined;
  /** Whether a get would answer at once. */
  ready(): boolean;
  /** Calls `cb` when a get would answer at once; starts fetching ahead for a remote handle. */
  onReady(cb: () => void): () => void;
  /** Items waiting (a remote handle reports the size last seen at home plus what it holds). */
  size(): number;
  full(): boolean;
  /** False when there was no unfinished task to mark done. */
  taskDone(): boolean;
  join(): Promise<void>;
  /** Closes this handle; resolves once what it sent has reached the home. */
  close(): Promise<void>;
  encode(ctx: EncodeContext): HandleData;
}
