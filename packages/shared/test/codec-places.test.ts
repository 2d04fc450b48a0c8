// Every place a value can sit inside another (object and array fields, Map keys and values, Set
// members, an Error's cause and own fields, nested mixes of them) encodes and decodes alike: an
// object with a codec arrives live there, never as its wire envelope or a plain copy of its fields.
import { deserialize, serialize } from 'node:v8';
import { CODEC_TAG, decodeValue, encodeValue } from '@multiproc/shared';
import { describe, expect, it } from 'vitest';
import { codecClass } from './codec-kit.ts';

const Token = codecClass('test.places.Token');
type Token = InstanceType<typeof Token>;

const PLACES: Record<string, (x: Token) => unknown> = {
  'object field': (x) => ({ f: x }),
  'null-prototype object field': (x) => Object.assign(Object.create(null), { f: x }),
  'array item': (x) => [1, x],
  'array named field': (x) => Object.assign([1, 2], { tag: x }),
  'empty array named field': (x) => Object.assign([], { tag: x }),
  // biome-ignore lint/suspicious/noSparseArray: a hole on purpose
  'sparse array named field': (x) => Object.assign([1, , 3], { tag: x }),
  'Map key': (x) => new Map([[x, 1]]),
  'Map value': (x) => new Map([['k', x]]),
  'Map key and value at once': (x) => new Map([[x, x]]),
  'Set member': (x) => new Set([x]),
  'Error cause': (x) => new Error('e', { cause: x }),
  'Error cause of an Error cause': (x) =>
    new RangeError('outer', { cause: new Error('inner', { cause: [x] }) }),
  'a Map key inside a Set inside an array named field': (x) =>
    Object.assign([0], { s: new Set([new Map([[x, [x]]])]) }),
  'a Map keyed by an array holding it': (x) => new Map([[[x], { deep: new Set([x]) }]]),
};

// What a thread (structured clone) and a child process (v8 serialization) receive.
const CARRIERS = {
  thread: (v: unknown) => structuredClone(v),
  process: (v: unknown) => deserialize(serialize(v)),
} as const;

/** Every value reachable from `v`: fields (non-enumerable ones too), items, Map keys and values. */
function reachable(v: unknown, out = new Set<unknown>()): Set<unknown> {
  if (typeof v !== 'object' || v === null || out.has(v)) return out;
  out.add(v);
  if (v instanceof Map) for (const [k, x] of v) reachable(x, reachable(k, out));
  else if (v instanceof Set) for (const x of v) reachable(x, out);
  if (v instanceof Token) return out;
  for (const key of Object.getOwnPropertyNames(v)) {
    if (key !== 'stack') reachable((v as Record<string, unknown>)[key], out);
  }
  return out;
}

describe.each(Object.keys(CARRIERS) as (keyof typeof CARRIERS)[])('codec places (%s)', (target) => {
  it.each(Object.keys(PLACES))('a library object as %s arrives live, not as its envelope', (place) => {
    const token = new Token(7);
    // As a task's argument: one level down, the deepest an array's named fields are looked into.
    const sent = encodeValue([PLACES[place]!(token)], target, 'args');
    expect(sent.encoded, `${place}: the sender found the object`).toBe(true);
    const got = decodeValue(CARRIERS[target](sent.value), target);
    const all = [...reachable(got)];
    const tokens = all.filter((x) => x instanceof Token) as Token[];
    expect(tokens.length, `${place}: one live object (the same one where it was sent twice)`).toBe(1);
    expect(tokens[0]!.id).toBe(7);
    const leftovers = all.filter((x) => typeof x === 'object' && x !== null && Object.hasOwn(x, CODEC_TAG));
    expect(leftovers, `${place}: no envelope left`).toEqual([]);
  });
});

describe('errors', () => {
  it.each(Object.keys(CARRIERS) as (keyof typeof CARRIERS)[])(
    'an error whose cause was encoded arrives as an error of its class, message and stack kept (%s)',
    (target) => {
      const err = new TypeError('bad', { cause: new Token(3) });
      const got = decodeValue(CARRIERS[target](encodeValue({ err }, target).value), target).err as TypeError;
      expect(got).toBeInstanceOf(TypeError);
      expect(got.message).toBe('bad');
      expect(got.stack).toBe(err.stack);
      expect(got.cause).toBeInstanceOf(Token);
      expect(Object.getOwnPropertyDescriptor(got, 'cause')?.enumerable).toBe(false);
      expect(err.cause).toBeInstanceOf(Token); // the input is left as it was
    },
  );
});

describe('array named fields', () => {
  it('survive the copy the encoder makes of an array that holds an encoded item', () => {
    const arr = Object.assign([new Token(1), 'b'], { note: 'kept', t: new Token(2) });
    const got = decodeValue(structuredClone(encodeValue(arr, 'thread').value), 'thread') as typeof arr;
    expect(got[0]).toBeInstanceOf(Token);
    expect(got.note).toBe('kept');
    expect(got.t).toBeInstanceOf(Token);
    expect(arr.t).toBeInstanceOf(Token); // the input is left as it was
  });

  it('plain named fields of a long or deep array still travel as data (structured clone keeps them)', () => {
    const long = Object.assign(
      Array.from({ length: 1000 }, (_, i) => i),
      { tag: 'x' },
    );
    const deep = { a: { b: Object.assign([1], { tag: 'y' }) } };
    const sent = encodeValue([long, deep], 'thread');
    expect(sent.encoded).toBe(false);
    const [l, d] = structuredClone(sent.value) as [typeof long, typeof deep];
    expect([l.tag, d.a.b.tag]).toEqual(['x', 'y']);
  });

  it('a queue item that is a short array keeps its named fields live', () => {
    const item = Object.assign(['job'], { reply: new Token(5) });
    const got = decodeValue(structuredClone(encodeValue(item, 'thread').value), 'thread') as typeof item;
    expect(got.reply).toBeInstanceOf(Token);
  });
});

describe('items of a list sent item by item (a pool map chunk: listLength)', () => {
  /** Encodes each item as one of the list, as a pool sends a chunk; decodes the list whole. */
  function roundTrip(items: unknown[]): { sentEncoded: boolean[]; got: unknown[] } {
    const sent = items.map((item, i) =>
      encodeValue(item, 'thread', `items[${i}]`, { listLength: items.length }),
    );
    const got = decodeValue(structuredClone(sent.map((s) => s.value)), 'thread');
    return { sentEncoded: sent.map((s) => s.encoded), got };
  }
  const tagged = (n: number) => Array.from({ length: n }, (_, i) => Object.assign([i], { t: new Token(i) }));
  const envelopes = (v: unknown) =>
    [...reachable(v)].filter((x) => typeof x === 'object' && x !== null && Object.hasOwn(x, CODEC_TAG));

  it('a short list: each item is looked into as a value directly inside the list, and arrives live', () => {
    const { sentEncoded, got } = roundTrip(tagged(3));
    expect(sentEncoded).toEqual([true, true, true]);
    expect((got as { t: unknown }[]).map((x) => x.t instanceof Token)).toEqual([true, true, true]);
    expect(envelopes(got)).toEqual([]);
  });

  it('a long list: no item has its named fields looked into (no Object.keys per item), and no envelope arrives', () => {
    const { sentEncoded, got } = roundTrip(tagged(100));
    expect(sentEncoded.some(Boolean)).toBe(false);
    // As structured clone copies a field it is not told about: a plain copy, never a wire envelope.
    expect((got as { t: { id: number } }[])[5]!.t).toEqual({ id: 5 });
    expect(envelopes(got)).toEqual([]);
  });

  it('a long list: an encodable item itself, or one in an item field, is still encoded', () => {
    const items = Array.from({ length: 100 }, (_, i) => (i === 7 ? { at: [new Token(i)] } : [i, i * 2]));
    const { sentEncoded, got } = roundTrip(items);
    expect(sentEncoded.filter(Boolean)).toHaveLength(1);
    expect(((got as unknown[])[7] as { at: unknown[] }).at[0]).toBeInstanceOf(Token);
  });

  it('a function in a named field of a long list item is left to structured clone, which refuses it', () => {
    const item = Object.assign([1], { cb: () => 1 });
    const sent = encodeValue(item, 'thread', 'items[0]', { listLength: 100 });
    expect(() => structuredClone(sent.value)).toThrow();
    // Sent alone (a task argument, a queue item) the path is named.
    expect(() => encodeValue(item, 'thread', 'items[0]')).toThrow(/items\[0\]\.cb/);
  });
});
