/**
 * How to read what a proxy stands for, per typeid: `util.inspect()` and `JSON.stringify()` cannot
 * wait for the manager's answer, so they name the awaited call that reads it (proxy.ts); and the
 * error of a `callMethod()` without a method name.
 */
import { ContextError, describeValue, ValidationError } from '@multiproc/shared';
import type { ProxyRef } from './wire.js';

const copyHint = (v: string, what: string) => `await ${v}.copy() for the ${what}`;
const READ_HINTS: Record<string, string> = {
  dict: copyHint('d', 'contents'),
  list: copyHint('l', 'items'),
  Namespace: copyHint('ns', 'values'),
  Value: 'await v.get() for the value',
  Array: copyHint('a', 'items'),
  Queue: 'await q.get() for an item, await q.qsize() for how many',
  JoinableQueue: 'await q.get() for an item, await q.qsize() for how many',
  Lock: 'await lock.locked() for its state',
  RLock: 'await lock.locked() for its state',
  Semaphore: 'await s.getValue() for its value',
  BoundedSemaphore: 'await s.getValue() for its value',
  Event: 'await e.isSet() for its state',
  Barrier: 'await b.state() for its state',
};

/** The awaited call that reads the object `ref` stands for, e.g. `await d.copy() for the contents`. */
export function readHint(ref: ProxyRef): string {
  return (!ref.auto && READ_HINTS[ref.typeid]) || 'its methods are async: await p.method()';
}

/**
 * `JSON.stringify(proxy)`'s error (Python's `json.dumps(proxy)` raises TypeError): the proxy holds
 * no contents, only its manager's reference, so it would be written as `{}`.
 */
export function noJson(ref: ProxyRef): ContextError {
  return new ContextError(
    `JSON.stringify() cannot write a manager's ${ref.typeid} (also getContext('process')'s): it ` +
      `lives in the manager, and its proxy holds no contents (it would be written as {}). Read it ` +
      `first and write that: ${readHint(ref)}${ref.typeid === 'dict' && !ref.auto ? ' (a Map: JSON.stringify(Object.fromEntries(await d.copy())))' : ''}.`,
  );
}

/** What `callMethod(method)` returns when `method` is not a method's name (a rejection); else undefined. */
export function refusedMethodName(method: unknown): Promise<never> | undefined {
  if (typeof method === 'string' && method !== '') return undefined;
  return Promise.reject(
    new ValidationError(
      `callMethod(method, ...args) takes the name of a method of the served object first, got ${describeValue(method)}.`,
    ),
  );
}
