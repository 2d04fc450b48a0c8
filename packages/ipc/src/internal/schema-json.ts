/**
 * The sending side of a schema's trip to another worker: zod's `toJSONSchema` (io 'input'), with
 * an `override` that writes each node's steps (`schema-rebuild.ts`) and says why a node cannot
 * travel. The copy must answer every value as the original does, success and output alike, so
 * anything JSON Schema plus the steps cannot reproduce exactly is refused rather than weakened:
 * code (refine, transform, pipe, catch, lazy, custom), value-changing steps (`trim()`), types JSON
 * has no value for (`z.date()`, `z.bigint()`, `z.map()`, `z.file()`), regex flags, string formats
 * with options fromJSONSchema does not rebuild (`z.url({ protocol })`), record keys `z.number()`
 * with bounds, and defaults JSON cannot hold (`NaN`, a `Date`).
 */
import { isDeepStrictEqual } from 'node:util';
import type { z } from 'zod';
import { STEPS, type Step } from './schema-rebuild.js';
import { zod } from './zod.js';

// Schema node types (zod's `def.type`) JSON Schema cannot carry: they run code or hold no JSON value.
const REFUSED = new Set([
  'pipe',
  'transform',
  'catch',
  'custom',
  'lazy',
  'promise',
  'function',
  'file',
  'success',
]);

interface CheckDef {
  check?: string;
  format?: string;
  pattern?: RegExp;
  tx?: (input: unknown) => unknown;
  [key: string]: unknown;
}

interface Node {
  _zod: {
    def: CheckDef & { type: string; checks?: Node[] };
    traits: Set<string>;
    check?: unknown;
    values?: Set<unknown>;
  };
}

type Json = Record<string, unknown>;

/** The JSON Schema of `schema` with its steps, or why it cannot be checked the same elsewhere. */
export function convert(schema: z.core.$ZodType): { json: unknown } | { why: string } {
  const why: string[] = [];
  const json = zod().toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'throw',
    // Not the global registry: `.meta()` keys would travel as keywords (`{ minLength: 5 }` checks there).
    metadata: zod().registry(),
    override: ({ zodSchema, jsonSchema }) => mark(zodSchema as unknown as Node, jsonSchema as Json, why),
  });
  return why.length > 0 ? { why: [...new Set(why)].join(', ') } : { json };
}

function mark(node: Node, json: Json, why: string[]): void {
  const def = node._zod.def;
  if (REFUSED.has(def.type)) why.push(def.type === 'pipe' ? 'a transform or pipe' : `z.${def.type}`);
  if (def.coerce) why.push('z.coerce');
  const checks = [...(node._zod.traits.has('$ZodCheck') ? [node] : []), ...(def.checks ?? [])];
  for (const check of checks) {
    const step = inexactStep(check._zod.def);
    if (step) why.push(step);
  }
  // Steps copied from the wrapped node come first: flattening gives a wrapper its inner node's keywords.
  const steps: Step[] = [...((json[STEPS] as Step[] | undefined) ?? [])];
  switch (def.type) {
    case 'object':
      if (!def.catchall) steps.push('strip');
      break;
    case 'record':
      markRecord(def, steps, why);
      break;
    case 'nullable':
      steps.push('nullable');
      break;
    case 'optional':
      steps.push(node._zod.traits.has('$ZodExactOptional') ? 'exactOptional' : 'optional');
      break;
    case 'nonoptional':
      steps.push('nonoptional');
      break;
    case 'readonly':
      delete json.readOnly;
      steps.push('readonly');
      break;
    case 'default':
    case 'prefault': {
      const value = json.default;
      delete json.default;
      if (!isDeepStrictEqual(value, def.defaultValue))
        why.push(`a default JSON cannot hold (${String(def.defaultValue)})`);
      steps.push(def.type === 'default' ? { default: value } : { prefault: value });
      break;
    }
    case 'number':
      typeMembers(json, 'number');
      break;
    case 'intersection':
      nestIntersection(node, json, why);
      break;
  }
  if (checks.some((c) => c._zod.def.check === 'string_format')) stringPatterns(checks, json, why);
  if (steps.length === 0) return;
  json[STEPS] = steps;
  // Beside `$ref` the steps would land on the node every reference shares: wrap it in a one-option anyOf.
  if (typeof json.$ref === 'string') {
    json.anyOf = [{ $ref: json.$ref }];
    delete json.$ref;
  }
}

/**
 * An exhaustive record (keys an enum or literals) must have every key: rebuilt as that record. A
 * `z.number()` key is matched as a numeric string there, where JSON Schema cannot carry its bounds.
 */
function markRecord(def: CheckDef, steps: Step[], why: string[]): void {
  const keyType = def.keyType as Node & z.ZodType;
  const values = keyType._zod.values;
  if (values && !def.partial && values.size > 0) {
    const keys = [...values];
    const exact = keys.every((k) => {
      if (typeof k !== 'string' && typeof k !== 'number') return false;
      const r = keyType.safeParse(k);
      return r.success && r.data === k;
    });
    if (!exact) why.push('a record whose keys are not strings or numbers it accepts as they are');
    steps.push({ record: keys.map(String), loose: def.mode === 'loose' });
  }
  if (hasBoundedNumber(keyType)) why.push('a record key z.number() with bounds or a format');
}

function hasBoundedNumber(node: Node): boolean {
  const def = node._zod.def;
  if (def.type === 'number') return (def.checks?.length ?? 0) > 0 || node._zod.traits.has('$ZodCheck');
  const inner = [def.innerType, ...((def.options as Node[] | undefined) ?? [])].filter(Boolean) as Node[];
  return inner.some(hasBoundedNumber);
}

/**
 * zod writes `a & (b & c)` as the flat `allOf: [a, b, c]`, which fromJSONSchema rebuilds as
 * `(a & b) & c`. The grouping shows where one side fails (its issues skip the merge) and the other
 * side's outputs cannot merge (zod throws): the nesting is restored, one `allOf` per intersection.
 */
function nestIntersection(node: Node, json: Json, why: string[]): void {
  const members = json.allOf;
  const leaves = (n: Node): number => {
    const { type, left, right } = n._zod.def;
    return type === 'intersection' ? leaves(left as Node) + leaves(right as Node) : 1;
  };
  if (!Array.isArray(members) || members.length === 2) return;
  if (members.length !== leaves(node)) return void why.push('an intersection zod flattened unexpectedly');
  let at = 0;
  const nest = (n: Node): unknown => {
    const { type, left, right } = n._zod.def;
    return type === 'intersection' ? { allOf: [nest(left as Node), nest(right as Node)] } : members[at++];
  };
  json.allOf = (nest(node) as Json).allOf;
}

/** Gives the `allOf` members zod writes for a second pattern or divisor a `type`: fromJSONSchema reads a typeless member as "anything". */
function typeMembers(json: Json, type: string): void {
  if (Array.isArray(json.allOf)) json.allOf = json.allOf.map((m: Json) => ({ type, ...m }));
}

/**
 * A string's formats and patterns, rewritten so the copy checks exactly what each check does: a
 * format fromJSONSchema rebuilds identically stays a `format`, a check that is only a regex test
 * becomes a `pattern`, anything else is refused.
 */
function stringPatterns(checks: Node[], json: Json, why: string[]): void {
  for (const key of ['format', 'pattern', 'allOf', 'contentEncoding']) delete json[key];
  const patterns: string[] = [];
  for (const check of checks) {
    const def = check._zod.def;
    if (def.check !== 'string_format') continue;
    const format = json.format === undefined ? rebuiltFormat(def) : undefined;
    if (format) {
      json.format = format;
      continue;
    }
    const pattern = patternOf(check);
    // g and y only change how a RegExp is reused, which zod resets: the others change what matches
    // (`pattern` has none: `/^abc$/i` would become `/^abc$/` there).
    const flags = pattern?.flags.replace(/[gy]/g, '');
    const name = def.format === 'regex' ? `regex(${String(def.pattern)})` : `z.${def.format}()`;
    if (pattern === undefined) why.push(`${name} with options`);
    else if (flags) why.push(`${name}: JSON Schema patterns have no flags (${flags})`);
    else patterns.push(pattern.source);
  }
  if (patterns.length === 1) json.pattern = patterns[0];
  else if (patterns.length > 1) json.allOf = patterns.map((pattern) => ({ type: 'string', pattern }));
}

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** The regex that accepts exactly what `check` does, if there is one. */
function patternOf(check: Node): RegExp | undefined {
  const def = check._zod.def;
  if (def.format === 'starts_with') return new RegExp(`^${escapeRegex(def.prefix as string)}`);
  if (def.format === 'ends_with') return new RegExp(`${escapeRegex(def.suffix as string)}$`);
  if (def.format === 'includes') {
    const at = def.position as number | undefined;
    return new RegExp(`${at === undefined ? '' : `^[\\s\\S]{${at},}`}${escapeRegex(def.includes as string)}`);
  }
  const [test, custom, fromRegex] = regexTestSources();
  const source = String(check._zod.check);
  const regexOnly =
    def.format === 'regex' || source === test || (source === custom && String(def.fn) === fromRegex);
  return regexOnly ? def.pattern : undefined;
}

let testSources: string[] | undefined;
/**
 * The sources of zod's plain "test the pattern" check (every regex-only format: email, uuid, ...),
 * and of `z.stringFormat(name, regex)`'s check and function (z.hex(), z.hostname(), ...).
 */
function regexTestSources(): string[] {
  if (!testSources) {
    const custom = zod().stringFormat('x', /x/) as unknown as Node;
    const lowercase = zod().string().lowercase() as unknown as Node;
    testSources = [
      String(lowercase._zod.def.checks?.[0]?._zod.check),
      String(custom._zod.check),
      String(custom._zod.def.fn),
    ];
  }
  return testSources;
}

let formats: Map<string, { name: string; def: CheckDef }> | undefined;
// The `format` names fromJSONSchema turns into a zod format check (see its "string" case).
const FORMAT_NAMES = (
  'email uri uuid date-time date duration hostname ipv4 ipv6 mac cidr cidr-v6 base64 base64url ' +
  'e164 jwt emoji nanoid cuid cuid2 ulid xid ksuid'
).split(' ');

/** The JSON `format` fromJSONSchema rebuilds as a check identical to `def`, if any. */
function rebuiltFormat(def: CheckDef): string | undefined {
  if (!formats) {
    formats = new Map();
    for (const name of FORMAT_NAMES) {
      const built = zod().fromJSONSchema({ type: 'string', format: name }) as unknown as Node;
      const check = built._zod.def.checks?.[0]?._zod.def;
      if (check?.format && !formats.has(check.format)) formats.set(check.format, { name, def: check });
    }
  }
  const found = def.format === undefined ? undefined : formats.get(def.format);
  return found && sameCheck(def, found.def) ? found.name : undefined;
}

const IGNORED = new Set(['error', 'abort', 'checks', 'message']);
function sameCheck(a: CheckDef, b: CheckDef): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)].filter((k) => !IGNORED.has(k)));
  for (const key of keys) {
    const x = a[key];
    const y = b[key];
    if (x instanceof RegExp || y instanceof RegExp) {
      if (String(x) !== String(y)) return false;
    } else if (!isDeepStrictEqual(x ?? null, y ?? null)) return false;
  }
  return true;
}

/**
 * The step of a check JSON Schema cannot carry, named for the message: a refine(), or a step that
 * changes the value (`trim()`, `toLowerCase()`, `toUpperCase()`, `normalize()`), which JSON Schema drops.
 */
function inexactStep(check: CheckDef): string | undefined {
  if (check.check === 'custom') return 'a refine()';
  if (check.check === 'overwrite') {
    const name = /\.(\w+)\(/.exec(String(check.tx))?.[1];
    return name ? `${name}()` : 'a step that changes the value';
  }
  return undefined;
}
