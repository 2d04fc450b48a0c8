/**
 * The errors of what a proxy cannot do synchronously: its object lives in the manager, so a
 * blocking wait (`acquireSync`, `waitSync`) or a view of its memory cannot exist here.
 */
import { ContextError } from '@multiproc/shared';

/**
 * The error `<kind>.<method>()` throws on a proxy: names the awaited form to use instead.
 * @example noSyncWait('Lock', 'acquireSync', 'await lock.acquire(timeout)')
 */
export function noSyncWait(kind: string, method: string, asyncForm: string): ContextError {
  return new ContextError(
    `${method}() cannot block on a manager's (or getContext('process')'s) ${kind}: it lives in ` +
      `another process, whose answer arrives on this thread's event loop. Use \`${asyncForm}\` ` +
      `instead; ${method}() works on a thread ${kind} only.`,
  );
}

/**
 * The error `<kind>.<member>` throws on a proxy when it must read the manager synchronously (a
 * getter, `JSON.stringify()`'s `toJSON()`): names what to use instead.
 * @example noSyncRead('Value', 'toJSON()', 'JSON.stringify(await v.get())')
 */
export function noSyncRead(kind: string, member: string, instead: string): ContextError {
  return new ContextError(
    `${member} cannot read a manager's (or getContext('process')'s) ${kind} at once: it lives in ` +
      `another process. Use \`${instead}\` instead; ${member} works on a thread ${kind} only.`,
  );
}
