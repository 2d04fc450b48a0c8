/** One row of the bad-input catalogue, and what its rows may use. */
import type { Pool } from '@multiproc/core';

/** The error classes of multiproc a row may expect (each name is one class). */
export type ErrorName =
  | 'ValidationError'
  | 'ContextError'
  | 'SerializationError'
  | 'LockError'
  | 'ClosedError'
  | 'PoolClosedError'
  | 'ProcessError'
  | 'TimeoutError'
  | 'QueueEmptyError'
  | 'QueueFullError'
  | 'EOFError'
  | 'BufferTooShortError'
  | 'BrokenBarrierError';

/** What the rows share: one pool per context, started on first use. */
export interface Env {
  pool(context: 'thread' | 'process'): Pool;
}

/**
 * One bad input. `run` makes the bad call; it must throw (a sync API) or reject (an API that
 * returns a Promise, marked `async`) with `expect`, whose message contains `says` (what to do).
 * `expect: 'works'` marks an input that looks bad but is valid: it must succeed (and `check`
 * its result). Then `next`, a valid call on the same object, must succeed: nothing was broken.
 */
export interface Case<S = any> {
  /** The API, as a user writes it. */
  readonly api: string;
  /** What is wrong with the input. */
  readonly input: string;
  readonly expect: ErrorName | 'works';
  /** Text the message must contain: the option's name, or the spelling to use instead. */
  readonly says?: string;
  /** Whether the API returns a Promise: it must then reject, never throw synchronously. */
  readonly async?: boolean;
  /** Builds the object the call is made on. */
  readonly setup?: (env: Env) => S | Promise<S>;
  readonly run: (subject: S, env: Env) => unknown;
  /** Checks the value of a `works` row; throws when it is wrong. */
  readonly check?: (value: any, subject: S) => void;
  /** A valid call on the same object afterwards; must succeed. */
  readonly next?: (subject: S, env: Env) => unknown;
  /** Frees what `setup` made. */
  readonly teardown?: (subject: S) => unknown;
  /** How long the call may take before it counts as a hang. @default 30000 */
  readonly limitMs?: number;
  /** Covered by another developer's issue: listed, not run here yet (for the lead). */
  readonly pending?: string;
}

/** Throws when `ok` is false (for `check`). */
export function assert(ok: boolean, what: string): asserts ok {
  if (!ok) throw new Error(`check failed: ${what}`);
}
