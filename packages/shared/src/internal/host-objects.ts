/**
 * Engine and Node host objects that a structured clone to another **process** does not carry,
 * though the sender's serializer takes them (checked with `v8.serialize()` here and
 * `v8.deserialize()` in a fresh process, Node 20, 22 and 24):
 *
 * - `WebAssembly.Module`: serialized as a reference into the sender's heap; any other process
 *   fails with "Unable to deserialize cloned data" (a child dies reading its channel, a queue's
 *   item is lost). A thread of this process gets it.
 * - a shared `WebAssembly.Memory`: its SharedArrayBuffer is refused later, with no path.
 * - `WebAssembly.Memory` (not shared), `Global`, `Table`, `Instance`, `Tag`, `Exception`: refused
 *   by structured clone everywhere; named here so the error says where they are.
 * - Node's `BlockList`, `SocketAddress`, `X509Certificate`, `KeyObject`: cloneable to a thread, but
 *   `v8.serialize()` refuses them on Node 20 and copies them as `{}` on Node 22/24 (their state is
 *   behind private symbols): they would arrive empty.
 * - Node's `EventEmitter`s (streams, sockets, an HTTP request or response, a server, a child
 *   process, a `Worker`), to a thread too: structured clone copies their fields (`_events`,
 *   `_readableState`, ...) into a plain object with no method, handle or buffered data, or stops at
 *   the first listener with an error about a function deep inside (`args[0].socket._events.close[0]`).
 *   An instance of the user's own subclass that has no listener, stream state or handle is data: it
 *   goes as any class instance does.
 *
 * Nothing here imports `node:*`: Node's classes are confirmed with `process.getBuiltinModule()`
 * only when an object of a class with such a name is met.
 */
import { type ContextError, SerializationError } from '../errors.js';
import { withArticle } from '../options.js';
import { sharedToProcess } from './shared-codec.js';

type Target = 'thread' | 'process';
/** What an object is to the codec: wasm (by kind), one of Node's host classes, an emitter, or neither. */
type HostKind = 'Module' | 'Memory' | 'wasm' | 'node' | 'emitter' | null;

const WASM_TAG = /^\[object WebAssembly\.(\w+)\]$/;

/** Node classes that arrive empty in another process, by name: the module exporting them. */
const NODE_CLASSES: Readonly<Record<string, string>> = {
  BlockList: 'node:net',
  SocketAddress: 'node:net',
  X509Certificate: 'node:crypto',
  KeyObject: 'node:crypto',
};

/** Per prototype: what its instances are (a shared Memory is told from its buffer, per instance). */
const kinds = new WeakMap<object, HostKind>();

type BuiltinLoader = (id: string) => Record<string, unknown> | undefined;
const host = (globalThis as { process?: { getBuiltinModule?: BuiltinLoader } }).process;

/** Whether a prototype of `proto`'s chain is one of Node's classes listed above, confirmed by identity. */
function isNodeHostClass(proto: object): boolean {
  if (typeof host?.getBuiltinModule !== 'function') return false;
  for (let p: object | null = proto; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    const C = Object.hasOwn(p, 'constructor') ? (p as { constructor: unknown }).constructor : undefined;
    const name = typeof C === 'function' ? C.name : '';
    const id = Object.hasOwn(NODE_CLASSES, name) ? NODE_CLASSES[name] : undefined;
    if (id !== undefined && host.getBuiltinModule(id)?.[name] === C) return true;
  }
  return false;
}

let emitterProto: object | null | undefined; // node:events' EventEmitter.prototype, read on first need

/** Whether `proto`'s chain holds Node's `EventEmitter.prototype` (a stream, socket, server, ...). */
function isEmitterProto(proto: object): boolean {
  if (emitterProto === undefined) {
    const loaded =
      typeof host?.getBuiltinModule === 'function' ? host.getBuiltinModule('node:events') : undefined;
    emitterProto = ((loaded?.EventEmitter as { prototype?: object } | undefined)?.prototype ?? null) as
      | object
      | null;
  }
  if (emitterProto === null) return false;
  for (let p: object | null = proto; p !== null; p = Object.getPrototypeOf(p))
    if (p === emitterProto) return true;
  return false;
}

function kindOfProto(obj: object, proto: object): HostKind {
  let kind = kinds.get(proto);
  if (kind === undefined) {
    const wasm = WASM_TAG.exec(Object.prototype.toString.call(obj))?.[1];
    if (wasm === 'Module' || wasm === 'Memory') kind = wasm;
    else if (wasm !== undefined) kind = 'wasm';
    else if (isNodeHostClass(proto)) kind = 'node';
    else kind = isEmitterProto(proto) ? 'emitter' : null;
    kinds.set(proto, kind);
  }
  return kind;
}

/** Whether `obj` is one of the objects above (the codec's quick scan then walks the value). */
export function isHostObject(obj: object, proto: object): boolean {
  return kindOfProto(obj, proto) !== null;
}

/**
 * The refusal of `obj` at `path` for `target`, or undefined when it can go there as it is: a
 * `SerializationError`, or for a shared `WebAssembly.Memory` sent to a process the
 * `ContextError` of shared memory (a `SerializationError` for a task's result).
 */
export function hostObjectRefusal(
  obj: object,
  target: Target,
  path: string,
  destination: string | undefined,
): ContextError | SerializationError | undefined {
  const proto = Object.getPrototypeOf(obj) as object | null;
  const kind = proto === null ? null : kindOfProto(obj, proto);
  if (kind === null) return undefined;
  if (kind === 'Memory' && (obj as { buffer?: unknown }).buffer instanceof SharedArrayBuffer) {
    return target === 'process' ? sharedToProcess(path, destination) : undefined;
  }
  if (target === 'thread' && (kind === 'Module' || kind === 'node')) return undefined;
  if (kind === 'emitter') return isLiveEmitter(obj, proto) ? emitterRefusal(proto, path) : undefined;
  const name = Object.prototype.toString.call(obj).slice(8, -1);
  const what = kind === 'node' ? (proto?.constructor?.name ?? name) : name;
  const hint =
    kind === 'Module'
      ? 'another process cannot rebuild a compiled module from it (it fails with "Unable to deserialize ' +
        'cloned data"). Send the module\'s bytes (a Uint8Array) and compile them there with new ' +
        'WebAssembly.Module(bytes); a thread of this process can take the module itself'
      : kind === 'node'
        ? 'its state is not carried by a structured clone to another process (it would arrive as {} or ' +
          'be refused). Send the data it is made from (an address, a key exported with export(), a PEM ' +
          'text) and rebuild it there'
        : "structured clone cannot copy it. Send the data it holds (a Memory's bytes: new " +
          'Uint8Array(memory.buffer).slice()) and rebuild it on the other side';
  return new SerializationError(path, `Cannot send ${path}: it is ${withArticle(what)}; ${hint}.`);
}

/**
 * Whether an emitter is one of Node's live objects rather than data: a bare `EventEmitter`, a
 * stream (a socket, a request, `process.stdout`), one with a handle (a server, a child process) or
 * one with listeners. An instance of the user's
 * own subclass with none of these is data and goes by structured clone, as any class instance does
 * (a plain object of its own fields).
 */
function isLiveEmitter(obj: object, proto: object | null): boolean {
  const fields = obj as { _eventsCount?: unknown };
  return (
    proto === emitterProto ||
    (typeof fields._eventsCount === 'number' && fields._eventsCount > 0) ||
    '_readableState' in obj ||
    '_writableState' in obj ||
    '_handle' in obj
  );
}

/** The refusal of a Node `EventEmitter` (a stream, socket, request, ...) at `path`, for any target. */
function emitterRefusal(proto: object | null, path: string): SerializationError {
  const name = (proto as { constructor?: { name?: unknown } } | null)?.constructor?.name;
  const own = typeof name === 'string' && name !== '' && name !== 'EventEmitter';
  return new SerializationError(
    path,
    `Cannot send ${path}: it is ${own ? `${withArticle(name)}, ` : ''}a Node EventEmitter (a stream, socket, HTTP request or ` +
      'response, server, child process, ...). Its listeners, handles and buffered data stay in this ' +
      'thread: a copy would arrive as a plain object of its fields. Send the data it carries instead: ' +
      "a stream's bytes (await buffer(stream), with buffer from node:stream/consumers) or a file's path, a " +
      "request's method, url, headers and body; or pass a Queue or Pipe and write the data to it.",
  );
}
