// The one-walk JSON writer that makes queue items on Node 20: for every JSON-exact value its text
// is exactly JSON.stringify's, and for every other value it declines (the caller then falls back
// to structured clone), as jsonExact decides.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonText } from '../src/internal/json-text.js';
import { jsonExact } from '../src/internal/serialize.js';

describe('jsonText', () => {
  it('writes exactly what JSON.stringify writes, for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(jsonText(v)).toBe(jsonExact(v) ? JSON.stringify(v) : undefined);
      }),
      { seed: 13, numRuns: 300 },
    );
  });

  it('escapes strings and keys as JSON does, lone surrogates included', () => {
    const tricky = ['x"y\\z\n\u0001', '\ud800', 'é😀\u2028', '', 'plain'];
    for (const s of tricky) {
      expect(jsonText(s)).toBe(JSON.stringify(s));
      expect(jsonText({ [s]: s })).toBe(JSON.stringify({ [s]: s }));
    }
    const own = JSON.parse('{"__proto__":{"x":1}}');
    expect(jsonText(own)).toBe('{"__proto__":{"x":1}}');
    expect(jsonText(Object.create(null))).toBe('{}');
    expect(jsonText([1e21, 5e-324, -1.5, 0])).toBe('[1e+21,5e-324,-1.5,0]');
  });

  it('declines what JSON would not carry exactly', () => {
    const holey = [1, 2, 3];
    delete holey[1];
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const bad = [
      undefined,
      -0,
      Number.NaN,
      Infinity,
      holey,
      [undefined],
      { a: undefined },
      { a: -0 },
      new Date(0),
      new Map(),
      1n,
      () => 1,
      Symbol('s'),
      new (class X {})(),
      cyclic,
    ];
    for (const v of bad) expect(jsonText(v)).toBeUndefined();
  });
});
