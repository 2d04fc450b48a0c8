/** A manager's options and `register()`'s arguments: their types and how they are read. */
import { readOptions, ValidationError } from '@multiproc/shared';
import type { Address } from '../internal/net/endpoint.js';

/** The options a manager takes. @internal */
export const MANAGER_KEYS: readonly string[] = ['address', 'authkey'];

/** Options of {@link BaseManager} and `Manager`. */
export interface ManagerOptions {
  /**
   * Where the manager listens (`start()`) or is reached (`connect()`): a Unix socket path or
   * `[host, port]`. Give a host other than `'localhost'`/`'127.0.0.1'` only to serve other machines.
   * @default a new Unix socket path in the temp directory (this machine only)
   */
  address?: Address | null | undefined;
  /**
   * The secret every client must prove it holds (HMAC challenge/response, both ways); peers without
   * it are refused with `AuthenticationError`. Proxies sent to workers carry it.
   * @default this program's key, `processAuthkey()` (32 random bytes a worker inherits from its parent)
   */
  authkey?: string | Uint8Array | null | undefined;
}

/** `register()`'s options. */
export interface RegisterOptions {
  /** The only methods the proxies may call (Python's `exposed=`). */
  readonly exposed?: readonly string[] | null | undefined;
}

const REGISTER_KEYS: readonly string[] = ['exposed'];

/** The `exposed` option read and checked: a copy of the names, or undefined for every method. */
export function readExposed(typeid: string, options: RegisterOptions | undefined): string[] | undefined {
  const { exposed } = readOptions(options, REGISTER_KEYS, `register('${typeid}')`);
  if (exposed === undefined) return undefined;
  if (!Array.isArray(exposed) || exposed.some((m) => typeof m !== 'string' || m.length === 0)) {
    throw new ValidationError(
      `register('${typeid}'): exposed must be an array of method names (Python's exposed=), got ${String(exposed)}.`,
    );
  }
  return [...exposed];
}

/**
 * A registered type: what the server calls to make the object a proxy then stands for, a function
 * or a class (constructed with `new`, as Python's `register('Maths', MathsClass)` calls the class).
 */
export type Factory = ((...args: any[]) => unknown) | (new (...args: any[]) => unknown);

/** Whether `f` is a `class` (it must be called with `new`). */
export const isClass = (f: Factory): f is new (...args: any[]) => unknown =>
  Function.prototype.toString.call(f).startsWith('class');

/** Checks `start(initializer, initargs)`: a function (or null) and an array, as Python's `TypeError` does. */
export function checkInitializer(initializer: unknown, initargs: unknown): void {
  if ((initializer != null && typeof initializer !== 'function') || !Array.isArray(initargs)) {
    const got = `got ${typeof initializer} and ${Array.isArray(initargs) ? 'an array' : typeof initargs}`;
    throw new ValidationError(
      `start(initializer, initargs) takes a function (or null) and an array: ${got}.`,
    );
  }
}
