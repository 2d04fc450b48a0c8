/**
 * A thrown error's `cause` chain too deep for the receiver to rebuild (`MAX_NESTING`), cut where the
 * limit is met instead of at the top of the part that the record's nested errors hand to the codec
 * (`error-record.ts`'s `packNested`): the caller gets every link that fits, the last one's `cause`
 * a `SerializationError` whose `path` names the cut and says how many links were left out. The
 * whole tail was replaced before: a chain of 1,010 errors arrived with 9. The limit may be met a
 * few steps into a link's field (an error it holds), and a link's `cause` may be an own field
 * (`e.cause = c`), which its copy does not carry again; a plain object `{ cause }` among the links
 * is copied too. Links are copied (`copyError`) only down
 * to the cut; an error sent as a value is refused whole instead (as every value nested too deep).
 */
import { type Encoded, encodeSymbol } from '../codec-types.js';
import { SerializationError } from '../errors.js';
import { copyError } from './error-copy.js';
import { MAX_NESTING } from './nesting.js';
import { isError } from './realms.js';
import { shortPath } from './unsendable.js';

/** The codec type of an error's record, which `error-record.ts` registers. */
const ERROR_CODEC = 'multiproc.Error';

/** How many links above the one met at the limit the stand-in may take the place of, at most. */
const STAND_IN_LEVELS = 6;

/** What follows a cut chain's last link is not counted past this many links. */
const MAX_COUNTED = 1_000_000;

/**
 * The value `encode` makes of `value`'s cause chain cut where `refusal` (the codec's, for `value`
 * at `path`) met the nesting limit; `record` gives the stand-in's error record, which the codec
 * sends (it arrives as a `SerializationError`; structured clone would give a plain `Error`).
 * `null` when the refusal is not one of a chain too deep, or the chain cannot be copied as it is (a
 * link with a field that is not enumerable, one whose parts throw when read).
 */
export function cutCauseChain(
  value: unknown,
  path: string,
  refusal: unknown,
  encode: (value: unknown) => unknown,
  record: (standIn: Error, path: string) => unknown,
): { value: unknown } | null {
  if (!isError(value) || !(refusal instanceof SerializationError)) return null;
  const below = refusal.path.startsWith(path) ? refusal.path.slice(path.length) : '';
  // The limit met in a link (`.cause.cause`) or a few steps into one of its fields (an error held
  // in `.cause.cause.inner`); a field nested deep on its own (`.cause.tree.n.n…`) is not the chain's.
  const causes = /^(?:\.cause)+/.exec(below)?.[0] ?? '';
  const rest = below.slice(causes.length).match(/\.[^.[]*|\[[^\]]*\]/g) ?? [];
  if (causes === '' || rest.length > STAND_IN_LEVELS) return null;
  const met = causes.length / '.cause'.length; // the link met at the limit
  // The stand-in takes the place of a link above it, its record a level or two deeper than an error
  // (its data, its fields): the deepest place where the codec takes it.
  for (let kept = met - 1; kept >= Math.max(1, met - STAND_IN_LEVELS); kept--) {
    try {
      return cutAt(value, path, kept, encode, record);
    } catch (error) {
      if (!(error instanceof SerializationError)) return null;
    }
  }
  return null;
}

/** `value`'s chain cut below its first `kept` links, encoded; `null` when it cannot be copied. */
function cutAt(
  value: Error,
  path: string,
  kept: number,
  encode: (value: unknown) => unknown,
  record: (standIn: Error, path: string) => unknown,
): { value: unknown } | null {
  const links: object[] = [];
  let at: unknown = value;
  for (let i = 0; i < kept; i++) {
    if (isError(at) ? !copiable(at) : !plainLink(at)) return null;
    links.push(at as object);
    at = (at as { cause: unknown }).cause;
  }
  const cutPath = `${path}${'.cause'.repeat(kept)}`;
  const standIn = new SerializationError(
    cutPath,
    `Cannot send ${shortPath(cutPath)}: the cause chain goes deeper than the ${MAX_NESTING} levels ` +
      'the receiving side can rebuild (Python raises RecursionError), so the error arrives cut here: ' +
      `this error stands in for the ${linksFrom(at)} errors left out.`,
  );
  const encoded: Encoded = { type: ERROR_CODEC, data: record(standIn, cutPath) };
  Object.defineProperty(standIn, encodeSymbol, { value: () => encoded });
  let next: unknown = standIn;
  for (let i = links.length - 1; i >= 0; i--) {
    // Its cause set by assignment is an own enumerable field too: the cut one takes its place.
    const { cause: _, ...fields } = links[i] as Record<string, unknown>;
    const link = links[i]!;
    next = isError(link) ? copyError(link, { value: next }, fields) : { ...fields, cause: next };
  }
  return { value: encode(next) };
}

/** Whether `err`'s own parts are what `copyError` copies: name, message, stack, cause, enumerable fields. */
function copiable(err: Error): boolean {
  for (const key of Object.getOwnPropertyNames(err)) {
    if (key === 'stack' || key === 'message' || key === 'cause' || key === 'name') continue;
    if (!Object.getOwnPropertyDescriptor(err, key)?.enumerable) return false;
  }
  return Object.hasOwn(err, 'cause');
}

/** A plain object in the chain (`{ cause: err }`), all its own keys enumerable strings: copied as it is. */
function plainLink(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  if (Object.getOwnPropertySymbols(value).length > 0 || !Object.hasOwn(value, 'cause')) return false;
  return Object.getOwnPropertyNames(value).every(
    (key) =>
      Object.getOwnPropertyDescriptor(value, key)?.enumerable &&
      'value' in Object.getOwnPropertyDescriptor(value, key)!,
  );
}

/** How many errors the chain from `at` holds (up to a cycle, or {@link MAX_COUNTED}). */
function linksFrom(at: unknown): number {
  const seen = new Set<unknown>();
  while (isError(at) && !seen.has(at) && seen.size < MAX_COUNTED) {
    seen.add(at);
    at = Object.hasOwn(at, 'cause') ? at.cause : undefined;
  }
  return seen.size;
}
