/**
 * Where structured clone refused a value the codec let through: the codec passes a Proxy (it reads
 * like its target) and an engine object (`engine-objects.ts`), and the channel refuses the whole
 * value when it is posted. This walk, made on the failure path only, names the part.
 */
import { isEngineObject } from './engine-objects.js';
import { isError } from './realms.js';
import { keyName } from './unsendable.js';

/** How far the walk looks: a value this big or deep that failed is named by its root. */
const MAX_VISITS = 1_000_000;
const MAX_DEPTH = 1000;

type IsProxy = (value: unknown) => boolean;
let isProxyFn: IsProxy | undefined;

/** Node's `util.types.isProxy`, read on first use (none in a browser: no Proxy is found there). */
function isProxy(value: unknown): boolean {
  if (isProxyFn === undefined) {
    const node = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    const util = node?.getBuiltinModule?.('node:util') as { types?: { isProxy?: IsProxy } } | undefined;
    isProxyFn = util?.types?.isProxy ?? (() => false);
  }
  return isProxyFn(value);
}

/**
 * A part that structured clone refuses though the codec passed it, and what it is.
 * @internal
 */
export interface RefusedPart {
  /** Its path, in the codec's form: `args[1].x`, `items[3][0]`, `result.get("k")`. */
  readonly path: string;
  /** The part itself. */
  readonly part: object;
  /** `'a Proxy'`, `'a Generator object'`, `'an engine object'`. */
  readonly what: string;
}

function describePart(part: object): string {
  if (isProxy(part)) return 'a Proxy';
  const tag = Object.prototype.toString.call(part).slice(8, -1);
  if (tag === 'Object') return 'an engine object';
  return `${/^[AEIOU]/.test(tag) ? 'an' : 'a'} ${tag} object`;
}

/**
 * The first Proxy or engine object in `value` (`root` itself when it is one), walking what
 * structured clone copies: array items and named fields, own enumerable fields, Map keys (`.<key>`)
 * and values (`.get("k")`, `.get(1)`), Set items (`.<item>`), an error's `cause`; undefined when
 * none is found (or reading the value threw: the codec names such a part itself).
 * @internal
 */
export function refusedPart(value: unknown, root: string): RefusedPart | undefined {
  const seen = new Set<object>();
  const stack: [unknown, string, number][] = [[value, root, 0]];
  try {
    while (stack.length > 0) {
      const [v, path, depth] = stack.pop()!;
      if ((typeof v !== 'object' && typeof v !== 'function') || v === null) continue;
      if (isProxy(v) || (typeof v === 'object' && isEngineObject(v)))
        return { path, part: v, what: describePart(v) };
      if (seen.has(v) || depth >= MAX_DEPTH || seen.size >= MAX_VISITS) continue;
      seen.add(v);
      if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) continue;
      if (typeof SharedArrayBuffer !== 'undefined' && v instanceof SharedArrayBuffer) continue;
      // Pushed in reverse, so the first part in reading order is met first.
      const parts: [unknown, string][] = [];
      if (v instanceof Map) {
        for (const [k, item] of v) parts.push([k, `${path}.<key>`], [item, `${path}.get(${keyName(k)})`]);
      } else if (v instanceof Set) {
        for (const item of v) parts.push([item, `${path}.<item>`]);
      } else {
        const isArray = Array.isArray(v);
        for (const key of Object.keys(v)) {
          const index = isArray && String(Number(key) >>> 0) === key;
          parts.push([(v as Record<string, unknown>)[key], index ? `${path}[${key}]` : `${path}.${key}`]);
        }
        if (isError(v) && Object.hasOwn(v, 'cause')) parts.push([v.cause, `${path}.cause`]);
      }
      for (let i = parts.length - 1; i >= 0; i--) stack.push([parts[i]![0], parts[i]![1], depth + 1]);
    }
  } catch {
    return undefined;
  }
  return undefined;
}
