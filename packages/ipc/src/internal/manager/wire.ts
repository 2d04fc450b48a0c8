/**
 * What travels between a proxy and its manager over one socket per thread and manager (framed
 * as rpc.ts says): requests `[objectId, method, args]` (object 0 is the manager itself), answers
 * a value or an ErrorRecord. Errors travel as records and are rebuilt as the same class.
 */
import {
  BrokenBarrierError,
  ClosedError,
  LockError,
  ProcessError,
  resolveTimeout,
  TimeoutError,
  ValidationError,
} from '@multiproc/shared';
import { EOFError, QueueEmptyError, QueueFullError } from '../../errors.js';
import type { Address } from '../net/endpoint.js';
import type { WireTimeout } from './wait-list.js';

export type Request = [id: number, method: string, args: unknown[]];

export interface ErrorRecord {
  readonly name: string;
  readonly message: string;
  /** For a pipelined call's late failure: the method that failed. */
  readonly method?: string;
}

/** How a proxy finds its object: the manager's address and key, the object's id and type. */
export interface ProxyRef {
  readonly address: Address;
  readonly authkey: string; // hex
  readonly id: number;
  readonly typeid: string;
  /** The server instance that made it (a manager started again at the address is another). */
  readonly server?: string;
  /** A Barrier's default wait in ms (its proxies' waits without a timeout are bounded by it). */
  readonly timeout?: number;
  /** Registered with `BaseManager.register()`: an AutoProxy, whatever the typeid. */
  readonly auto?: boolean;
  /** A synchronized Value or Array (`getContext('process').Value()`): the lock every copy shares. */
  readonly lock?: ProxyRef;
}

const CLASSES: Record<string, new (message: string) => any> = {
  BrokenBarrierError,
  ClosedError,
  EOFError,
  LockError,
  ProcessError,
  QueueEmptyError,
  QueueFullError,
  TimeoutError,
  ValidationError,
  TypeError,
  RangeError,
  ReferenceError,
};

export function toRecord(err: unknown): ErrorRecord {
  const e = err instanceof Error ? err : new Error(String(err));
  return { name: e.name, message: e.message };
}

/** The error a record stands for: the same class when it is one of ours or a built-in. */
export function fromRecord(r: ErrorRecord): Error {
  const C = CLASSES[r.name];
  if (C) return new C(r.message);
  const e = new Error(r.message);
  e.name = r.name;
  return e;
}

/**
 * A proxy method's timeout argument as ms on the wire (-1: no limit). `block`: `{ block: false }`
 * is accepted; `'acquire'`: also, and a timeout with it is refused (Python's `Lock.acquire`).
 */
export function wireTimeout(arg: unknown, method: string, block: boolean | 'acquire' = false): WireTimeout {
  const options = { block: block !== false, refuseTimeoutWithoutBlock: block === 'acquire' };
  const { timeoutMs } = resolveTimeout(arg, method, options);
  return timeoutMs === Number.POSITIVE_INFINITY ? -1 : timeoutMs;
}
