import { deserialize, serialize } from 'node:v8';
import { decodeJson, encodeJson, encodeSymbol, isEngineObject, type JsonEncoded } from '@multiproc/shared';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

/** What the receiver gets: the encoded form through V8's serializer (as a pipe or port sends it), decoded. */
function roundTrip(value: unknown): unknown {
  const sent = encodeJson(value);
  if (!sent) throw new Error('encodeJson refused the value');
  return decodeJson(deserialize(serialize(sent)) as JsonEncoded);
}

/** Where `a` and `b` differ, comparing key order, prototypes, holes and -0 too; '' when nowhere. */
function difference(a: unknown, b: unknown, path = 'value'): string {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null)
    return Object.is(a, b) ? '' : `${path}: ${String(a)} vs ${String(b)}`;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return `${path}: prototypes differ`;
  if (a instanceof RegExp || a instanceof Date) return String(a) === String(b) ? '' : `${path}: ${a} vs ${b}`;
  const keys = Reflect.ownKeys(a);
  const other = Reflect.ownKeys(b);
  if (keys.join() !== other.join()) return `${path}: keys [${keys.join()}] vs [${other.join()}]`;
  for (const key of keys) {
    if (key === 'length') continue;
    const at = difference((a as never)[key], (b as never)[key], `${path}.${String(key)}`);
    if (at) return at;
  }
  return '';
}

/** The received value equals a structured clone of `value`, key order, holes and -0 included. */
function sameAsClone(value: unknown): void {
  expect(difference(roundTrip(value), structuredClone(value))).toBe('');
}

class Fields {
  a = 1;
  b: unknown;
  constructor(b: unknown) {
    this.b = b;
  }
}

describe('encodeJson / decodeJson: JSON where it gives what a structured clone gives', () => {
  it('gives back a tree of plain objects, arrays, strings, numbers and booleans as a clone would', () => {
    sameAsClone({
      type: 'Program',
      body: [{ start: 0, end: 3, name: 'x\u{1F600}\ud800', ok: true, n: null }],
    });
    sameAsClone([[], {}, [[1.5, -2]], { '': 0, __proto__x: 1, 10: 'ten', 2: 'two' }]);
    sameAsClone(Object.assign(Object.create(null), { a: 1 }));
  });

  it('turns an instance of a class without methods into a plain object, as a clone does', () => {
    sameAsClone([new Fields('x'), new Fields([new Fields(2)])]);
  });

  it('puts back a RegExp, a Date, NaN, the infinities, -0 and undefined array items at their places, keys in order', () => {
    const value = {
      a: /x+/gi,
      b: [Number.NaN, Number.POSITIVE_INFINITY, -0, undefined, 1],
      c: { when: new Date(86_400_000), z: Number.NEGATIVE_INFINITY },
      d: 'after',
    };
    const sent = encodeJson(value)!;
    expect(sent.paths.map((p) => p.join('.')).sort()).toEqual([
      'a',
      'b.0',
      'b.1',
      'b.2',
      'b.3',
      'c.when',
      'c.z',
    ]);
    sameAsClone(value);
    expect(Object.keys(roundTrip(value) as object)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('answers undefined for what JSON would change: shared references, cycles, holes, undefined fields', () => {
    const shared = { x: 1 };
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const named = Object.assign([1, 2], { index: 0 });
    for (const value of [
      [shared, shared],
      { a: shared, b: { c: shared } },
      cyclic,
      // biome-ignore lint/suspicious/noSparseArray: a hole is what this case is about
      [1, , 3],
      { a: undefined },
      named,
      { n: 10n },
      { s: Symbol('s') },
      { f: () => 1 },
    ])
      expect(encodeJson(value)).toBeUndefined();
  });

  it('answers undefined for objects the codec acts on or a clone copies whole', () => {
    class WithToJson {
      x = 1;
      toJSON() {
        return 'changed';
      }
    }
    const encodable = { [encodeSymbol]: () => ({ type: 'x', data: 1 }) };
    for (const inner of [
      new Map([[1, 2]]),
      new Set([1]),
      new Uint8Array(4),
      Buffer.from('ab'),
      new ArrayBuffer(8),
      new Error('e'),
      new WithToJson(),
      encodable,
      new Proxy({}, {}),
      new URL('https://example.com/'),
    ])
      expect(encodeJson({ deep: [{ inner }] })).toBeUndefined();
    expect(encodeJson(new Proxy({ a: 1 }, {}))).toBeUndefined();
    expect(encodeJson(/x/)).toBeUndefined();
  });

  it('answers undefined for engine objects a clone refuses: generators, iterators, arguments, Intl', () => {
    function args(..._: unknown[]) {
      // biome-ignore lint/complexity/noArguments: the arguments object itself is the case
      return arguments;
    }
    const engine: unknown[] = [
      (function* () {})(),
      (async function* () {})(),
      [1].values(),
      new Map([[1, 2]]).keys(),
      'ab'[Symbol.iterator](),
      'a'.matchAll(/a/g),
      args(1, 2),
      new Intl.Collator(),
      new Intl.Segmenter().segment('ab'),
    ];
    const helpers = [1].values() as unknown as { map?: (f: (x: number) => number) => unknown };
    if (helpers.map) engine.push(helpers.map((x) => x));
    const json = JSON as { rawJSON?: (text: string) => unknown };
    if (json.rawJSON) engine.push(json.rawJSON('1'));
    for (const value of engine) {
      expect(() => structuredClone(value)).toThrow();
      expect(encodeJson({ deep: [{ value }] })).toBeUndefined();
      if (typeof value === 'object' && value !== null) expect(encodeJson(value)).toBeUndefined();
    }
  });

  it('tells engine objects from ordinary ones: a class extending Iterator makes ordinary objects', () => {
    function args(..._: unknown[]) {
      // biome-ignore lint/complexity/noArguments: the arguments object itself is the case
      return arguments;
    }
    for (const engine of [(function* () {})(), [1].values(), args(), new Intl.Collator()])
      expect(isEngineObject(engine)).toBe(true);
    const ordinary: object[] = [{ callee: 1 }, Object.create(null), new Fields(1), [1], new Date(0)];
    const Base = (globalThis as { Iterator?: new () => object }).Iterator;
    if (Base) ordinary.push(new (class extends Base {})());
    for (const value of ordinary) expect(isEngineObject(value)).toBe(false);
  });

  it('writes a class instance with methods as its own fields, as a clone copies it', () => {
    class Account {
      balance = 1;
      deposit(n: number) {
        this.balance += n;
      }
      get doubled() {
        return this.balance * 2;
      }
    }
    expect(encodeJson({ deep: [new Account()] })).toBeDefined();
    expect(difference(roundTrip({ deep: [new Account()] }), structuredClone({ deep: [new Account()] }))).toBe(
      '',
    );
  });

  it('answers undefined for primitives and when a toJSON would change what JSON writes', () => {
    for (const value of [1, 'x', null, undefined, true]) expect(encodeJson(value)).toBeUndefined();
    const proto = Object.prototype as { toJSON?: unknown };
    proto.toJSON = () => 'changed';
    try {
      expect(encodeJson({ a: 1 })).toBeUndefined();
    } finally {
      delete proto.toJSON;
    }
    expect(encodeJson({ a: 1 })).toBeDefined();
  });

  it('answers undefined, not a throw, when a getter or Proxy trap throws', () => {
    const getter = Object.defineProperty({}, 'x', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    const trap = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error('trap');
        },
      },
    );
    expect(encodeJson({ getter })).toBeUndefined();
    expect(encodeJson([trap])).toBeUndefined();
  });

  it('whenever it answers, decodeJson gives what a structured clone gives (property)', () => {
    // fast-check's `unit: 'binary'` (every code point but the surrogates), without the map of all
    // 1.1M of them it builds first: seconds of this test's bound on a loaded runner, for 150 runs.
    const codePoint = fc
      .nat({ max: 0x10ffff - 0x800 })
      .map((n) => String.fromCodePoint(n < 0xd800 ? n : n + 0x800));
    const leaf = fc.oneof(
      fc.string({ unit: codePoint }),
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
      fc.date({ noInvalidDate: true }),
      fc.constantFrom(/a/g, /b+/),
    );
    const { tree } = fc.letrec((tie) => ({
      tree: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('object')),
      array: fc.array(tie('tree'), { maxLength: 5 }),
      object: fc.dictionary(fc.string(), tie('tree'), { maxKeys: 5 }),
    }));
    let answered = 0;
    fc.assert(
      fc.property(tree, (value) => {
        // A generated RegExp or Date constant may appear twice: then JSON must refuse.
        const sent = encodeJson(value);
        if (!sent) return;
        answered++;
        sameAsClone(value);
      }),
      { numRuns: 150, seed: 170 },
    );
    expect(answered).toBeGreaterThan(30);
  }, 60_000);
});
