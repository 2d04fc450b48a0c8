/**
 * Loads a decoded value needs before it is usable, as Python's unpickling imports a function's
 * module: a decoder reports one with `ctx.needs(kind, key)` (a task reference whose module this
 * realm never imported), and a receive that can wait (`Queue.get()`, `Connection.recv()`, a pool
 * call's result, a manager's answer) runs the loader registered for `kind` before it resolves. A
 * receive asks for the reports by passing its own list to `decodeValue()`, so a load another receive
 * (or a task's arguments) started can never fail or delay it; a synchronous receive passes none, and
 * the value is handed over as decoded.
 */

/** One load a decoder reported: the loader's kind and what it loads (a module URL). */
export type PendingLoad = readonly [kind: string, key: string];

/** Loads `key` (for a task reference: imports the module at that URL); rejects when it cannot. */
export type DecodeLoader = (key: string) => Promise<void>;

// On globalThis, as the decoders: two copies of this package loaded in one realm share them.
const LOADERS_KEY = Symbol.for('multiproc.codec.loaders');
const loaders: Map<string, DecodeLoader> = ((globalThis as any)[LOADERS_KEY] ??= new Map());

/**
 * Registers the loader that a waiting receive runs for each load of `kind` its decoders reported.
 * @param kind The name decoders give to `ctx.needs(kind, key)` (by convention their codec type).
 * @param load Loads one key; its rejection rejects the receive.
 * @param options `ifNone`: keep a loader already registered for `kind` (a fallback).
 * @example
 * class Plugin {
 *   url: string;
 *   constructor(url: string) {
 *     this.url = url;
 *   }
 *   [encodeSymbol]() {
 *     return { type: 'app.Plugin', data: this.url };
 *   }
 * }
 * registerDecodeLoader('app.Plugin', async (url) => {
 *   await import(url);
 * });
 * registerCodec('app.Plugin', (url: string, ctx) => {
 *   ctx.needs?.('app.Plugin', url); // a receive that can wait runs the loader first
 *   return new Plugin(url);
 * });
 * const loads: [string, string][] = [];
 * const { value } = encodeValue(new Plugin('./plugins/a.js'), 'thread');
 * decodeValue(structuredClone(value), 'thread', loads);
 * console.log(loads); // [ [ 'app.Plugin', './plugins/a.js' ] ]
 */
export function registerDecodeLoader(
  kind: string,
  load: DecodeLoader,
  options?: { ifNone?: boolean | undefined },
): void {
  if (options?.ifNone && loaders.has(kind)) return;
  loaders.set(kind, load);
}

/**
 * Runs the loaders of `pending` (each key once); `undefined` when there is nothing to load, so a
 * receive's common case stays synchronous. A load with no loader registered is skipped.
 * @throws rejects with the first loader's error.
 * @example
 * const none: [string, string][] = []; // what decodeValue(value, source, none) collected
 * console.log(loadPending(none)); // undefined: nothing to wait for
 * registerDecodeLoader('app.Note', async (key) => console.log('loading', key));
 * await loadPending([['app.Note', 'a']]); // loading a
 */
export function loadPending(pending: readonly PendingLoad[]): Promise<void> | undefined {
  if (pending.length === 0) return undefined;
  const started = new Map<string, Promise<void>>();
  for (const [kind, key] of pending) {
    const load = loaders.get(kind);
    const id = `${kind}\n${key}`;
    if (load && !started.has(id)) started.set(id, load(key));
  }
  return started.size === 0 ? undefined : Promise.all(started.values()).then(() => {});
}
