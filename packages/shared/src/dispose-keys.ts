/**
 * `using` and `await using` in every realm. On Node 20 and 22, `Symbol.dispose` and
 * `Symbol.asyncDispose` are Node's own symbols, set on the main realm's `Symbol` only: code
 * compiled by esbuild, TypeScript or Babel that runs in a `vm` context (vitest's `vmThreads` and
 * `vmForks` pools) finds no `Symbol.asyncDispose` there and looks the member up under its fallback
 * key, `Symbol.for('Symbol.asyncDispose')`. Node 24 (V8's own symbols) shares one symbol across
 * realms, and nothing is added.
 */

const KEYS = [
  [Symbol.dispose, Symbol.for('Symbol.dispose')],
  [Symbol.asyncDispose, Symbol.for('Symbol.asyncDispose')],
] as const;

/**
 * Makes the `[Symbol.dispose]`/`[Symbol.asyncDispose]` methods of `prototype` also answer under
 * the keys a `using` compiled for a realm without these symbols looks up (non-enumerable, the same
 * functions). Call it once after a class definition.
 * @example
 * class Resource {
 *   [Symbol.dispose]() { console.log('closed'); }
 * }
 * disposableInEveryRealm(Resource.prototype);
 */
export function disposableInEveryRealm(prototype: object): void {
  for (const [own, fallback] of KEYS) {
    if (own === undefined || own === fallback) continue;
    const method = (prototype as Record<symbol, unknown>)[own];
    if (typeof method !== 'function' || Object.hasOwn(prototype, fallback)) continue;
    Object.defineProperty(prototype, fallback, { value: method, writable: true, configurable: true });
  }
}
