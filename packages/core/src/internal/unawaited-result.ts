/**
 * A pool call's pending result read as the value it will hold. Python's `pool.map()` blocks and
 * returns the list, so a port loops over the call itself: `for (const r of pool.map(task, items))`
 * (or `[...pool.map(...)]`, `const [a, b] = pool.apply(...)`). V8 then says "pool.map is not a
 * function or its return value is not iterable", though `pool.map` is a function, and
 * `Array.from(pool.map(...))` gives `[]` without a word. The pending result gets a
 * `[Symbol.iterator]` that throws a `TypeError` naming the call and `await` instead, as
 * `pool.imap()`'s iterator does for a loop without `await`, and ipc's manager proxies do for theirs.
 * `guardMethods()` (arity.ts), which wraps the methods of both Pools (local and BullMQ) and of
 * `AsyncResult`, gives it to the Promises of the calls listed here; `AsyncResult` has it on its
 * prototype.
 *
 * It is defined at run time only and is not enumerable: TypeScript still refuses those forms at
 * compile time (TS2488: "Did you forget to use 'await'?"), printing the Promise shows no new
 * field, and `await`, `.then()` and `Promise.all()` are untouched. A `for await` over the pending
 * result falls back to `Symbol.iterator` too, and gets the same advice.
 *
 * Only the program's own code gets the error: a dependency that asks for the iterator to learn
 * whether a value is a collection gets an empty one, as if the property were not there. Vitest's
 * and Jest's deep equality (`expect(p).toEqual(p)`, `toHaveBeenCalledWith(p)`) iterate any value
 * with a `[Symbol.iterator]` before comparing identity, and would otherwise throw our advice (the
 * rule is shared's `askedByDependency`, which ipc's manager proxies follow too).
 */

import { askedByDependency as askedBy, packageRoots } from '@multiproc/shared';

/** The calls whose Promise refuses a loop, by `Class.method`: the call as the message names it, and its awaited form. */
const AWAITED: Readonly<Record<string, readonly [call: string, awaited: string]>> = {
  'Pool.apply': ['pool.apply() returns a Promise', 'const [a, b] = await pool.apply(task, args)'],
  'Pool.map': ['pool.map() returns a Promise', 'for (const r of await pool.map(task, items))'],
  'Pool.starmap': ['pool.starmap() returns a Promise', 'for (const r of await pool.starmap(task, argLists))'],
  'AsyncResult.get': ['AsyncResult.get() returns a Promise', 'for (const r of await result.get())'],
  AsyncResult: [
    'An AsyncResult (from applyAsync(), mapAsync(), starmapAsync()) is like a Promise',
    'for (const r of await result)',
  ],
};

/** Whether the Promise `Class.method` returns refuses a loop (a key of the table above). */
export function refusesUnawaitedLoop(method: string): boolean {
  return Object.hasOwn(AWAITED, method);
}

/** What a loop (or a spread, a destructuring) over the pending result of `method` throws. */
export function unawaitedResultError(method: string): TypeError {
  const [call, awaited] = AWAITED[method] ?? [`${method}() returns a Promise`, `await ${method}()`];
  const stream = /map\b/.test(method)
    ? ' To take each result as it arrives, loop over pool.imap() with `for await`.'
    : '';
  return new TypeError(
    `${call}, which a loop (for...of, for await), a spread (...) or a destructuring cannot read: ` +
      `await it first, \`${awaited}\` (Python's call blocks until the result is there; here a call ` +
      `that waits returns a Promise).${stream}`,
  );
}

/**
 * This package's code (`.../core/dist/`): its own frames are not a dependency's. Worked out on the
 * first ask, not at import: reading `import.meta` and `node:url` then would load two more of Node's
 * modules into every worker and every import of the package.
 */
let ownRoots: readonly string[] | undefined;

/** Whether a dependency's code called `asker` (shared's dependency-caller.ts, core's frames its own). */
export const askedByDependency = (asker: (...args: never[]) => unknown): boolean =>
  askedBy(asker, (ownRoots ??= packageRoots(import.meta.url)));

/** One descriptor per method: defining it is the only cost a call pays (~0.2 µs). */
const descriptors = new Map<string, PropertyDescriptor>();

/**
 * `promise`, with a `[Symbol.iterator]` that throws {@link unawaitedResultError} for `method`.
 * @example
 * return refuseUnawaitedLoop(method.apply(this, args), 'Pool.map');
 */
export function refuseUnawaitedLoop<T>(promise: Promise<T>, method: string): Promise<T> {
  let descriptor = descriptors.get(method);
  if (descriptor === undefined) {
    descriptor = {
      configurable: true,
      writable: true,
      value: function unawaitedResult(this: unknown): Iterator<never> {
        if (askedByDependency(unawaitedResult)) return [][Symbol.iterator]();
        // The loop took the place of `await`: nobody may hold this Promise any more, and its
        // rejection (the pool terminated in a finally block or afterAll, the task failed) would
        // end the program beside the TypeError that explains it. Marked handled; `await` of it
        // still gives its outcome.
        if (this instanceof Promise) Promise.prototype.then.call(this, undefined, () => {});
        throw unawaitedResultError(method);
      },
    };
    descriptors.set(method, descriptor);
  }
  Object.defineProperty(promise, Symbol.iterator, descriptor);
  return promise;
}
