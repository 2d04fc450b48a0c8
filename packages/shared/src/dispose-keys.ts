/**
 * `using` and `await using` in every realm. On Node 20 and 22, `Symbol.dispose` and
 * `Symbol.asyncDispose` are Node's own symbols, set on the main realm's `Symbol` only: code
 * compiled by esbuild, TypeScript or Babel that runs in a `vm` context (vitest's `vmThreads` and
 * `vmForks` pools) finds no `Symbol.asyncDispose` there and looks the member up under its fallback
 * key, `Symbol.for('Symbol.asyncDispose')`. Node 24 (V8's own symbols) shares one symbol across
 * realms, and nothing is added. Where this module itself runs in a vm context (vitest's vm pools load
 * the packages' indexes there) and the class was made in the main realm, the method is found under
 * Node's symbol by its description.
 */

// [this realm's symbol, the fallback key, the descriptions Node's own symbol has (20, 22) and V8's (24)]
const KEYS = [
  [Symbol.dispose, Symbol.for('Symbol.dispose'), ['nodejs.dispose', 'Symbol.dispose']],
  [Symbol.asyncDispose, Symbol.for('Symbol.asyncDispose'), ['nodejs.asyncDispose', 'Symbol.asyncDispose']],
] as const;

/**
 * The key of `prototype`'s dispose method: `own`, or where this module runs in a realm without it
 * (a vm context) while the class was made in the main realm (the first-use code, which Node's
 * require() runs there), Node's symbol found by its description.
 */
function disposeKey(prototype: object, own: symbol | undefined, fallback: symbol, names: readonly string[]) {
  if (own !== undefined) return own;
  return Object.getOwnPropertySymbols(prototype).find(
    (key) => key !== fallback && names.includes(key.description ?? ''),
  );
}

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
  for (const [ownHere, fallback, names] of KEYS) {
    const own = disposeKey(prototype, ownHere, fallback, names);
    if (own === undefined || own === fallback) continue;
    const method = (prototype as Record<symbol, unknown>)[own];
    if (typeof method !== 'function' || Object.hasOwn(prototype, fallback)) continue;
    Object.defineProperty(prototype, fallback, { value: method, writable: true, configurable: true });
  }
}
