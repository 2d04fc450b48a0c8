/**
 * A pool call's pending result read as the value it will hold. Python's `pool.map()` blocks and
 * returns the list, so a port loops over the call itself: `for (const r of pool.map(task, items))`
 * (or `[...pool.map(...)]`, `const [a, b] = pool.apply(...)`). V8 then says "pool.map is not a
 * function or its return value is not iterable", though `pool.map` is a function, and
 * `Array.from(pool.map(...))` gives `[]` without a word. The pending result gets a
 * `[Symbol.iterator]` that throws a `TypeError` naming the call and `await` instead, as
 * `pool.imap()`'s iterator does for a loop without `await`, and ipc's manager proxies do for theirs.
 *
 * It is defined at run time only and is not enumerable: TypeScript still refuses those forms at
 * compile time (TS2488: "Did you forget to use 'await'?"), printing the Promise shows no new
 * field, and `await`, `.then()` and `Promise.all()` are untouched. A `for await` over the pending
 * result falls back to `Symbol.iterator` too, and gets the same advice.
 */

/** How each call is awaited, by the name the message gives it. */
const AWAITED: Readonly<Record<string, string>> = {
  'pool.apply()': 'const [a, b] = await pool.apply(task, args)',
  'pool.map()': 'for (const r of await pool.map(task, items))',
  'pool.starmap()': 'for (const r of await pool.starmap(task, argLists))',
  'AsyncResult.get()': 'for (const r of await result.get())',
  'an AsyncResult': 'for (const r of await result)',
};

/** What a loop (or a spread, a destructuring) over a call's pending result throws. */
export function unawaitedResultError(call: string): TypeError {
  const awaited = AWAITED[call] ?? `await ${call}`;
  const stream = call.endsWith('map()')
    ? ' To take each result as it arrives, loop over pool.imap() with `for await`.'
    : '';
  const what =
    call === 'an AsyncResult'
      ? 'An AsyncResult (from applyAsync(), mapAsync(), starmapAsync()) is like a Promise'
      : `${call} returns a Promise`;
  return new TypeError(
    `${what}, which a loop (for...of, for await), a spread (...) or a destructuring ` +
      `cannot read: await it first, \`${awaited}\` (Python's call blocks until the result is there; ` +
      `here a call that waits returns a Promise).${stream}`,
  );
}

/** One descriptor per call name: defining it is the only cost a call pays (~0.2 µs). */
const descriptors = new Map<string, PropertyDescriptor>();

/**
 * `promise`, with a `[Symbol.iterator]` that throws {@link unawaitedResultError} for `call`
 * (`promise` as it is without one: a call whose result is no value to loop over).
 * @example
 * return refuseUnawaitedLoop(keepCallerStack(promise), 'pool.map()');
 */
export function refuseUnawaitedLoop<T>(promise: Promise<T>, call: string | undefined): Promise<T> {
  if (call === undefined) return promise;
  let descriptor = descriptors.get(call);
  if (descriptor === undefined) {
    descriptor = {
      configurable: true,
      writable: true,
      value: function unawaitedResult(): never {
        throw unawaitedResultError(call);
      },
    };
    descriptors.set(call, descriptor);
  }
  Object.defineProperty(promise, Symbol.iterator, descriptor);
  return promise;
}
