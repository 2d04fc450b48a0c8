/**
 * Python's spellings of multiproc's names (`get_lock()`, `put_nowait()`, `apply_async()`, ...):
 * reading one throws a `ValidationError` that names the multiproc spelling, instead of the
 * `TypeError: x.get_lock is not a function` a Python habit would otherwise meet.
 */
import { ValidationError } from './errors.js';
import { askedByDependency, packageRoots } from './internal/dependency-caller.js';

let ownRoots: string[] | undefined;

// The getters definePythonNames() made: a name that only points a Python habit elsewhere is no
// member of its own, so a manager's register(typeid) may put a method there (isPythonName()).
const pythonNameGetters = new WeakSet<() => undefined>();

/**
 * Defines Python's spellings on `target` (a class prototype): reading any of them throws
 * `ValidationError` saying what to write instead. They are not enumerable and not typed, so
 * TypeScript users get a compile error first. A dependency that probes one (code under
 * `node_modules`: `typeof x.destroy === 'function'` in a cleanup library) reads `undefined`
 * instead, as if it were not there; assigning one (`this.completed = 0` in a subclass,
 * `Object.assign(pool, { run })`) makes an own property of that value, as on any object. Beyond Python.
 * @param target the prototype (or object) to mark.
 * @param names Python's name -> multiproc's spelling, as it should be written (`'getLock()'`), or
 *   `{ message }` for a name multiproc has no spelling of there (the whole message); a symbol key
 *   (`Symbol.dispose`) takes a `{ message }`.
 * @throws {ValidationError} from each marked name, when it is read.
 * @example
 * import { definePythonNames, ValidationError } from '@multiproc/shared';
 * class MyQueue {
 *   putNowait(_item: number) {}
 * }
 * definePythonNames(MyQueue.prototype, { put_nowait: 'putNowait()' });
 * try {
 *   (new MyQueue() as any).put_nowait(1);
 * } catch (err) {
 *   console.log(err instanceof ValidationError); // true: "put_nowait is Python's spelling; in multiproc write putNowait()."
 * }
 */
export function definePythonNames(
  target: object,
  names: Readonly<Record<PropertyKey, string | { readonly message: string }>>,
): void {
  // Symbol keys too (`Symbol.dispose`: a `using` that wanted `await using`), with a `{ message }`.
  for (const python of Reflect.ownKeys(names)) {
    const ours = names[python]!;
    const message =
      typeof ours === 'string'
        ? `${String(python)} is Python's spelling; in multiproc write ${ours}.`
        : ours.message;
    const get = (): undefined => {
      if (askedByDependency(get, (ownRoots ??= packageRoots(import.meta.url)))) return undefined;
      throw new ValidationError(message);
    };
    // Without a setter, `this.run = fn` would throw "Cannot set property run ... which has only a getter".
    function set(this: object, value: unknown): void {
      Object.defineProperty(this, python, { configurable: true, enumerable: true, writable: true, value });
    }
    pythonNameGetters.add(get);
    Object.defineProperty(target, python, { configurable: true, enumerable: false, get, set });
  }
}

/**
 * @internal Whether `name` on `object` (own or inherited) is a Python spelling that
 * `definePythonNames()` defined, not a member of its own.
 */
export function isPythonName(object: object, name: string): boolean {
  for (let o: object | null = object; o !== null; o = Object.getPrototypeOf(o)) {
    const found = Object.getOwnPropertyDescriptor(o, name);
    if (found) return found.get !== undefined && pythonNameGetters.has(found.get as () => undefined);
  }
  return false;
}

/**
 * @internal The names that answer `using` and `await using` on a lock, a semaphore or a condition
 * (`kind`): Python's `with lock:` acquires on entry, which a `using` declaration cannot do; Node met
 * it with "TypeError: Symbol(Symbol.dispose) is not a function". For `definePythonNames()`.
 * `proxy`: the primitive is a manager's proxy (`m.Lock()`, `getContext('process').Lock()`), whose
 * acquire crosses to the manager and has no synchronous form.
 */
export function noUsingForm(
  kind: string,
  options?: { readonly proxy?: boolean | undefined },
): Record<symbol, { readonly message: string }> {
  const what = options?.proxy ? `A manager's ${kind} (a proxy)` : `A ${kind}`;
  const alternative = options?.proxy
    ? 'or `await lock.acquire()`, then `await lock.release()` in a `finally`.'
    : 'in a hot loop of a worker, lock.acquireSync() and lock.release().';
  const advice = {
    message:
      `${what} has no \`using\` form: Python's \`with lock:\` is \`await lock.withLock(async () => { ... })\`, ` +
      `which acquires, runs the function and releases (also when it throws); ${alternative}`,
  };
  return { [Symbol.dispose]: advice, [Symbol.asyncDispose]: advice };
}
