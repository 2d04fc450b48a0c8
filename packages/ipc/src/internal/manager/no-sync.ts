/**
 * The errors of what a proxy cannot do synchronously: its object lives in the manager, so a
 * blocking wait (`acquireSync`, `waitSync`) or a view of its memory cannot exist here.
 */
import { askedByDependency, ContextError, packageRoots } from '@multiproc/shared';

/**
 * This package's code (`.../ipc/dist/`): its own frames are not a dependency's. Worked out on the
 * first ask, not at import (reading `import.meta` and `node:url` loads more of Node's modules).
 */
let ownRoots: readonly string[] | undefined;

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

/**
 * Gives `proto` (a manager proxy's class) a `[Symbol.iterator]` that throws `ContextError` naming
 * the awaited forms, so that `[...l]`, `for (const x of l)` and `Array.from(l)` (Python's
 * `list(l)`, `for x in l`) say what to write instead of Node's bare `TypeError: l is not
 * iterable`, as `.value` and `l[0]` do. It is defined at run time only, so TypeScript still refuses
 * those forms at compile time, and `Symbol.asyncIterator`, which `for await` and the pool's inputs
 * prefer, is untouched. Only the program's own code gets the error: a dependency's probe (Vitest's
 * and Jest's deep equality, `expect(l).toEqual(l)`) gets an empty iterator (shared's
 * `askedByDependency`, the rule core's pending pool results follow).
 * @example refuseSyncIteration(ListProxy.prototype, 'list', 'l', 'await l.copy()')
 */
export function refuseSyncIteration(proto: object, kind: string, name: string, copy: string): void {
  Object.defineProperty(proto, Symbol.iterator, {
    configurable: true,
    writable: true,
    value: function refusedSyncIteration(): Iterator<never> {
      // A dependency's probe (a test runner's deep equality): an empty iterator, as if none were here.
      if (askedByDependency(refusedSyncIteration, (ownRoots ??= packageRoots(import.meta.url))))
        return [][Symbol.iterator]();
      throw new ContextError(
        `A manager's ${kind} (also getContext('process')'s) lives in another process: a synchronous ` +
          `loop (\`for (const x of ${name})\`, \`[...${name}]\`, \`Array.from(${name})\`) cannot read it ` +
          `here. Use \`for await (const x of ${name})\`, or \`${copy}\` for a plain copy.`,
      );
    },
  });
}
