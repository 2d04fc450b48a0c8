/**
 * What a public object (Connection, Queue, …) holds: a handle on its endpoint. The handle is either
 * at home ({@link HomeHandle}: direct calls on the protocol) or a copy ({@link RemoteHandle}: frames
 * over a link); the public classes do not care which.
 */

import type { Socket } from 'node:net';
import type { MessagePort } from 'node:worker_threads';
import type { EncodeContext } from '@multiproc/shared';
import type { BROKEN, EOF, Item, TIMEOUT } from '../protocol/item.js';
import type { STUCK } from './waiter.js';

/** How a copy finds its home: the home's socket path, the object id and endpoint; a port or a token. */
export interface HandleData {
  readonly path: string;
  readonly id: number;
  readonly end: number;
  readonly port?: MessagePort;
  /** Beside a port: where the copy records what it consumed, read by the home if it dies. */
  readonly shared?: SharedArrayBuffer;
  /** Beside a port, for a queue: its size, which thread copies count in (protocol/count.ts). */
  readonly count?: SharedArrayBuffer;
  readonly token?: string;
  /**
   * This copy is a `Client()` connection over its own socket to a listener's program; never sent
   * (a copy made of it dials the home's broker at `path` like any other).
   */
  readonly viaClient?: boolean;
}

/**
 * true: done; false: timed out waiting for room; EOF: the home is gone; STUCK: nothing could
 * answer; BROKEN: a pipe whose other end is closed everywhere (as far as this side knows).
 */
export type PutResult = boolean | typeof EOF | typeof STUCK | typeof BROKEN;
/** An item; EOF: none can come; TIMEOUT: none in time (or, without waiting, none at home); STUCK. */
export type GetResult = Item | typeof EOF | typeof TIMEOUT | typeof STUCK;

/**
 * A reservation of copies of one endpoint, made by {@link Handle.keep}: it counts as a handle of
 * the endpoint (as the workers' copies it stands for would) until released, holds nothing alive,
 * and makes copies whether or not the handle that made it is still open.
 */
export interface HandleKeeper {
  /** A new copy for `ctx`, as {@link Handle.encode} makes. */
  encode(ctx: EncodeContext): HandleData;
  /** Gives the reservation up (once; later calls do nothing). */
  release(): void;
}

export interface Handle {
  /** Adds an item, waiting up to `timeoutMs` for room (undefined: no limit; 0: not at all). */
  put(item: Item, timeoutMs: number | undefined): PutResult | Promise<PutResult>;
  /** Sends a JSON-exact value at once, unserialized, when a port can carry it next; false otherwise. */
  sendNow(value: unknown): boolean;
  /**
   * Sends big bytes at once, straight from `bytes` (the sender's memory, not kept once this
   * returns), when a socket carries them next; false otherwise (put a copy instead).
   */
  sendBytesNow(bytes: Uint8Array): boolean;
  /**
   * Adds an item if the queue has room, without waiting for room: taken at home, in the shared
   * count (a thread copy), or granted by the home (asked synchronously: false if it cannot answer).
   * EOF: the home is gone (nothing was added).
   */
  putNowait(item: Item): boolean | typeof EOF;
  /**
   * A copy: its home's thread or process ended without its exit hooks (terminated, killed,
   * crashed), so what it held and had not handed out is lost (true); or it ended in order but
   * that many items it had sent here are lost (a number: bytes sent from the sender's memory over
   * a connection reset before they were read). A home never loses its own.
   */
  homeLost?(): boolean | number;
  /** A copy: the system error of its own (EMFILE) that kept it from connecting to its home (os-errors.ts). */
  unreachable?(): Error | null;
  /** A pipe end at home: a worker writing to it was killed or terminated (its last sends may be lost). */
  writerStopped?(): boolean;
  /** Takes an item, waiting up to `timeoutMs` (0: one the home has now, Python's `block=False`). */
  get(timeoutMs: number | undefined): GetResult | Promise<GetResult>;
  /**
   * Takes an item the queue has now (a copy asks the home synchronously); undefined when none is,
   * or when the home could not answer in time.
   */
  getNowait(): Item | typeof EOF | undefined;
  /** Whether a get would answer at once. */
  ready(): boolean;
  /** Calls `cb` when a get would answer at once; starts reading ahead at a copy. */
  onReady(cb: () => void): () => void;
  /**
   * A copy: resolves once its home answered a question sent now (at most `SYNC_ANSWER_MS` later),
   * so what the home held for it then has arrived: a `poll()` or `wait()` that does not wait sees
   * what was sent before it was called, as Python's `select` sees what is in the OS pipe.
   */
  caughtUp?(): Promise<void>;
  /**
   * Items in the queue: the shared count in the home's process; a copy in another process asks the
   * home synchronously (the last size reported if it cannot answer in time).
   */
  size(): number;
  full(): boolean;
  /** False when there was no unfinished task to mark done. */
  taskDone(): boolean;
  /** EOF: this handle was closed meanwhile, or (a copy) its home is gone. */
  join(): Promise<undefined | typeof STUCK | typeof EOF>;
  /**
   * A JoinableQueue's unfinished tasks and the items still in it: at home, now; at a copy, as the
   * home last reported them (what a join that nothing can end any more says).
   */
  taskCounts(): { unfinished: number; queued: number };
  /**
   * Closes this handle; resolves once what it sent has reached the home. Its waits end at once
   * (gets and puts with EOF or STUCK, joins with EOF, watchers of `onReady` are called): the
   * public classes, closed by then, reject each with ClosedError.
   */
  close(): Promise<void>;
  encode(ctx: EncodeContext): HandleData;
  /** Reserves copies to make later, independently of this handle's own close. */
  keep(): HandleKeeper;
}

/** How a copy's handle (remote-handle.ts) talks to its home. */
export interface RemoteOptions {
  readonly maxsize: number;
  /** Puts wait for the home's answer (bounded and joinable queues). */
  readonly acked: boolean;
  /** Receive everything as it comes (pipes) rather than on demand (queues). */
  readonly eager: boolean;
  /** A JoinableQueue's: a thread copy counts the task of each item it puts. */
  readonly joinable?: boolean;
  /** An authenticated socket to the home (a `Client`), instead of dialling the home's broker. */
  readonly socket?: Socket;
  /** The home is in this thread (a `Client` of its own `Listener`): at exit pending is only written. */
  readonly homeHere?: boolean;
}
