/**
 * Engine objects: objects whose fields read like a plain object's or a class instance's, so the
 * codec walks them as fields, but whose kind structured clone refuses (V8 copies only ordinary
 * objects, arrays, errors, dates, regexps, boxed primitives, maps, sets and buffers): a generator,
 * an iterator (of an array, a Map, a string, a regexp's matches, a segmenter, an iterator helper),
 * an `arguments` object, a module namespace, a `JSON.rawJSON()` value, an `Intl` object, a
 * `DisposableStack`, a `FinalizationRegistry`. JSON would write each as `{}` (or its raw text), so
 * a sender that goes by JSON must refuse them first; a refused send is named at them.
 */

/** Prototypes whose instances the engine makes with a kind of their own (set up on first use). */
let engineProtos: Set<object> | undefined;
/** %IteratorPrototype%: what every built-in iterator inherits. */
let iteratorProto: object | null = null;
/** Per prototype of a class instance: whether its chain makes it an engine object. */
const verdicts = new WeakMap<object, boolean>();

function protoOf(value: unknown): object | null {
  return typeof value === 'object' || typeof value === 'function' ? Object.getPrototypeOf(value) : null;
}

function collectEngineProtos(): Set<object> {
  const protos = new Set<object>();
  const add = (proto: unknown) => {
    if (typeof proto === 'object' && proto !== null && proto !== Object.prototype) protos.add(proto);
  };
  // %IteratorPrototype% and %AsyncIteratorPrototype%: every built-in iterator and generator
  // inherits one of them (an instance of a class of the program's that extends Iterator is an
  // ordinary object: see chainIsEngine).
  iteratorProto = protoOf(protoOf([][Symbol.iterator]()));
  add(iteratorProto);
  add(protoOf(protoOf(protoOf((async function* () {})()))));
  const g = globalThis as Record<string, unknown>;
  for (const name of ['DisposableStack', 'AsyncDisposableStack', 'FinalizationRegistry', 'ShadowRealm'])
    add((g[name] as { prototype?: unknown } | undefined)?.prototype);
  const intl = g.Intl as Record<string, { prototype?: unknown }> | undefined;
  for (const name of Object.getOwnPropertyNames(intl ?? {})) add(intl?.[name]?.prototype);
  // %SegmentsPrototype% (what `segmenter.segment()` returns) has no constructor of its own.
  try {
    add(protoOf(new Intl.Segmenter().segment('')));
  } catch {
    // no Intl.Segmenter here
  }
  return protos;
}

/** Whether `fn` is written in JavaScript (a class of the program's), not built into the engine. */
function isSourceFunction(fn: unknown): boolean {
  return typeof fn === 'function' && !/\{\s*\[native code\]\s*\}$/.test(Function.prototype.toString.call(fn));
}

/**
 * Whether structured clone refuses `obj` for its kind, though its fields read like an ordinary
 * object's (see the module's comment). Proxies, functions and the codec's own kinds are not
 * looked at here.
 * @internal
 */
export function isEngineObject(obj: object): boolean {
  const proto = Object.getPrototypeOf(obj) as object | null;
  if (proto === Object.prototype) {
    // An `arguments` object (its own `callee` is the cheap sign, the tag the proof).
    return Object.hasOwn(obj, 'callee') && Object.prototype.toString.call(obj) === '[object Arguments]';
  }
  if (proto === null) {
    const json = JSON as { isRawJSON?: (v: unknown) => boolean };
    return json.isRawJSON?.(obj) === true || Object.prototype.toString.call(obj) === '[object Module]';
  }
  let verdict = verdicts.get(proto);
  if (verdict === undefined) {
    verdict = chainIsEngine(proto);
    verdicts.set(proto, verdict);
  }
  return verdict;
}

function chainIsEngine(proto: object): boolean {
  engineProtos ??= collectEngineProtos();
  for (let p: object | null = proto; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    if (engineProtos.has(p)) return true;
    // A class of the program's that extends Iterator makes ordinary objects (Iterator's
    // constructor makes none); one that extends an Intl class makes the engine's.
    const base = Object.getPrototypeOf(p) as object | null;
    if (base !== null && base === iteratorProto && Object.hasOwn(p, 'constructor')) {
      if (isSourceFunction((p as { constructor: unknown }).constructor)) return false;
    }
  }
  return false;
}
