/**
 * Rebuilds, in the worker that receives a copy, the schema a queue or connection carried as JSON
 * Schema (see `schema-json.ts` for the sending side).
 *
 * `z.fromJSONSchema()` alone answers differently from the original in places JSON Schema has no
 * word for: an object without `additionalProperties` comes back `.passthrough()` (zod's default
 * object strips), `optional()` outside an object property is lost (JSON has no `undefined`), an
 * exhaustive `z.record(z.enum(...), V)` becomes an object that does not require its keys. The
 * sender therefore writes, on each JSON node where zod does more than the keywords say, the steps
 * that rebuild it (`x-multiproc`). `fromJSONSchema` files unknown keywords as metadata of the node
 * it built from that JSON node in the registry it is given; the walk below rebuilds the tree
 * bottom-up, replaying each node's steps in order, then its ancestors around the rebuilt children.
 *
 *   JSON { type: 'object', properties: {...}, 'x-multiproc': ['strip', 'optional'] }
 *     fromJSONSchema -> z.object(shape).passthrough()        (steps in the registry)
 *     rebuild        -> z.object(shape').optional()          (shape' rebuilt the same way)
 *
 * The `.optional()` fromJSONSchema puts around an object property that is not `required`, or a
 * tuple item past `minItems`, is dropped: the property's own steps say what it accepts in place of
 * a value (optional, exactOptional, a default), exactly as the original did.
 */
import type { z } from 'zod';
import { zod } from './zod.js';

/** The keyword holding a JSON node's steps. */
export const STEPS = 'x-multiproc';

/**
 * What zod does beyond the JSON keywords of one node, in the order the original applied it: the
 * first step may reshape the node itself (`strip`, `record`, `nullable`), the others wrap it.
 */
export type Step =
  | 'strip'
  | 'nullable'
  | 'optional'
  | 'exactOptional'
  | 'nonoptional'
  | 'readonly'
  | { default: unknown }
  | { prefault: unknown }
  | { record: string[]; loose: boolean };

type Zod = z.ZodType;
interface Def {
  type: string;
  [key: string]: unknown;
}

const defOf = (node: Zod): Def => (node as unknown as { _zod: { def: Def } })._zod.def;
const cloneWith = (node: Zod, change: Partial<Def>): Zod =>
  node.clone({ ...defOf(node), ...change } as never);

/**
 * The schema a copy carried, rebuilt with its steps.
 * @throws {Error} when the JSON Schema or its steps are not what the sender writes.
 */
export function rebuildSchema(json: unknown): Zod {
  const registry = zod().registry<Record<string, unknown>>();
  const built = zod().fromJSONSchema(json as Parameters<typeof z.fromJSONSchema>[0], { registry });
  const memo = new Map<Zod, Zod>();
  const rebuild = (node: Zod): Zod => {
    const done = memo.get(node);
    if (done) return done;
    let out = rebuildChildren(node, rebuild);
    for (const step of (registry.get(node)?.[STEPS] ?? []) as Step[]) out = applyStep(out, step);
    memo.set(node, out);
    return out;
  };
  return rebuild(built);
}

/** `node` with its children rebuilt (itself when none changed). */
function rebuildChildren(node: Zod, rebuild: (node: Zod) => Zod): Zod {
  const def = defOf(node);
  const one = (key: string): Partial<Def> | undefined => {
    const child = def[key] as Zod | undefined;
    const next = child && rebuild(child);
    return next === child ? undefined : { [key]: next };
  };
  const many = (key: string, unwrap = false): Partial<Def> | undefined => {
    const children = def[key] as Zod[];
    const next = children.map((c) => rebuild(unwrap ? dropAddedOptional(c) : c));
    return next.every((c, i) => c === children[i]) ? undefined : { [key]: next };
  };
  let change: Partial<Def> | undefined;
  switch (def.type) {
    case 'object': {
      const shape = def.shape as Record<string, Zod>;
      const next: Record<string, Zod> = {};
      let changed = false;
      for (const key of Object.keys(shape)) {
        const child = shape[key] as Zod;
        const rebuilt = rebuild(dropAddedOptional(child));
        Object.defineProperty(next, key, {
          value: rebuilt,
          enumerable: true,
          writable: true,
          configurable: true,
        });
        changed ||= rebuilt !== child;
      }
      change = { ...(changed ? { shape: next } : {}), ...one('catchall') };
      break;
    }
    case 'array':
      change = one('element');
      break;
    case 'tuple':
      change = { ...many('items', true), ...one('rest') };
      break;
    case 'union':
      change = many('options');
      break;
    case 'intersection':
      change = { ...one('left'), ...one('right') };
      break;
    case 'record':
      change = { ...one('keyType'), ...one('valueType') };
      break;
    case 'pipe':
      change = { ...(unguarded(def) ?? one('in')), ...one('out') };
      break;
    case 'lazy':
      // fromJSONSchema's way back into a recursive schema: the rebuilt node is memoized by then.
      return zod().lazy(() => rebuild((def.getter as () => Zod)()));
    case 'optional':
    case 'nullable':
    case 'default':
    case 'readonly':
      change = one('innerType');
      break;
  }
  return change && Object.keys(change).length > 0 ? cloneWith(node, change) : node;
}

/**
 * fromJSONSchema checks an object's key and size keywords (`propertyNames`: every `z.record()`) in
 * an identity `transform` piped into the object. A transform may be absent (its `optin`), and so,
 * through the pipe, may the record: in a union beside a schema that accepts `undefined` it let an
 * object property or tuple item be missing where the original requires it. The same checks on
 * `unknown()` run on the same input, and may not be absent.
 */
function unguarded(def: Def): Partial<Def> | undefined {
  const guard = defOf(def.in as Zod);
  if (guard.type !== 'transform') return undefined;
  return {
    in: zod()
      .unknown()
      .check(...((guard.checks ?? []) as z.core.$ZodCheck<unknown>[])),
  };
}

/**
 * fromJSONSchema makes a `.optional()` only around a property that is not required and a tuple item
 * past `minItems`, and never gives it steps: the original's own optional, default or exactOptional
 * is a step of the child, so the added wrapper goes.
 */
function dropAddedOptional(node: Zod): Zod {
  const def = defOf(node);
  return def.type === 'optional' ? (def.innerType as Zod) : node;
}

function applyStep(node: Zod, step: Step): Zod {
  if (step === 'strip') return reshapeObject(node, (obj) => cloneWith(obj, { catchall: undefined }));
  if (step === 'nullable') return nullable(node);
  if (step === 'optional') return node.optional();
  if (step === 'exactOptional') return (node as z.ZodObject).exactOptional();
  if (step === 'nonoptional') return node.nonoptional();
  if (step === 'readonly') return node.readonly();
  if ('default' in step) return node.default(step.default as never);
  if ('prefault' in step) return node.prefault(step.prefault as never);
  if ('record' in step) {
    let value: Zod | undefined;
    reshapeObject(node, (obj) => {
      value = defOf(obj).catchall as Zod | undefined;
      return obj;
    });
    if (!value) throw new Error('a record step on a node with no value schema');
    const keys = zod().enum(step.record as [string, ...string[]]);
    return step.loose ? zod().looseRecord(keys, value) : zod().record(keys, value);
  }
  throw new Error(`unknown schema step ${JSON.stringify(step)}`);
}

/** Applies `change` to the object fromJSONSchema built, which may sit inside a guard's pipe. */
function reshapeObject(node: Zod, change: (obj: Zod) => Zod): Zod {
  const def = defOf(node);
  if (def.type === 'object') return change(node);
  if (def.type === 'pipe') return cloneWith(node, { out: reshapeObject(def.out as Zod, change) });
  throw new Error(`an object step on a ${def.type} schema`);
}

/**
 * `inner.nullable()` from the union `[inner, null]` (or `[a, b, null]`, JSON's compact form; or
 * `null` alone, what `z.null().nullable()` compacts to).
 */
function nullable(node: Zod): Zod {
  const def = defOf(node);
  if (def.type === 'null') return node.nullable();
  if (def.type !== 'union') throw new Error(`a nullable step on a ${def.type} schema`);
  const options = [...(def.options as Zod[])];
  const at = options.findLastIndex((o) => defOf(o).type === 'null');
  if (at < 0) throw new Error('a nullable step on a union without null');
  options.splice(at, 1);
  const inner = options.length === 1 ? (options[0] as Zod) : cloneWith(node, { options });
  return inner.nullable();
}
