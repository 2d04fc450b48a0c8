// A plain object of the user's own that has the codec's tag key (parsed JSON may) arrives as it
// was sent, also beside a library object in the same value, where the receiver decodes records.
import { CODEC_TAG, decodeValue, encodeValue } from '@multiproc/shared';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../../test-support/matrix.ts';
import { codecClass } from './codec-kit.ts';

const Tagged = codecClass('test.OwnTag');

function roundTrip<T>(value: T, target: 'thread' | 'process'): T {
  const out = encodeValue(value, target, 'value');
  const copy = structuredClone(out.value, { transfer: out.transfer as never });
  return out.encoded ? decodeValue(copy, target) : copy;
}

describe.each(matrix(import.meta.url))('an own object with the tag key (%s)', (target) => {
  it('arrives as sent beside a library object, its fields decoded', () => {
    const own = { [CODEC_TAG]: 'test.OwnTag', data: 1, inner: new Tagged(7) };
    const back = roundTrip(
      { own, lib: new Tagged(2), json: JSON.parse('{"__multiproc_codec__":"Value","data":1}') },
      target,
    );
    expect(back.own[CODEC_TAG]).toBe('test.OwnTag');
    expect(back.own.data).toBe(1);
    expect(back.own.inner).toBeInstanceOf(Tagged);
    expect(back.lib).toEqual(new Tagged(2));
    expect(back.json).toEqual({ [CODEC_TAG]: 'Value', data: 1 });
  });

  it('keeps cycles and shared references through it', () => {
    const own: Record<string, unknown> = { [CODEC_TAG]: 'x' };
    own.self = own;
    const back = roundTrip({ a: own, b: own, lib: new Tagged(1) }, target);
    expect(back.a).toBe(back.b);
    expect((back.a as Record<string, unknown>).self).toBe(back.a);
    expect((back.a as Record<string, unknown>)[CODEC_TAG]).toBe('x');
  });

  it('round-trips fuzzed JSON-like values whose keys may be the tag, with a library object inside', () => {
    const key = fc.oneof(fc.constant(CODEC_TAG), fc.constant('data'), fc.string({ maxLength: 4 }));
    const { tree } = fc.letrec((tie) => ({
      tree: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.oneof(fc.string({ maxLength: 6 }), fc.integer(), fc.boolean(), fc.constant(null)),
        fc.array(tie('tree'), { maxLength: 4 }),
        fc.dictionary(key, tie('tree'), { maxKeys: 4 }),
      ),
    }));
    fc.assert(
      fc.property(tree, fc.integer(), (value, n) => {
        const back = roundTrip({ value, lib: new Tagged(n) }, target);
        expect(back.value).toEqual(value);
        expect(back.lib).toEqual(new Tagged(n));
      }),
      { numRuns: 300, seed: 55 },
    );
  });
});
