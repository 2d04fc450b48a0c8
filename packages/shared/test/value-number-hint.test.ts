// A Value compared or computed with as if it were its number (`while (done < 3)`, `v * 2`) read
// NaN from its repr, so the comparison was silently false; Python raises TypeError there. It now
// throws ValidationError saying to read `.value`; as a string it still gives its repr.
import { RawValue, ValidationError, Value } from '@multiproc/shared';
import { describe, expect, it } from 'vitest';

const refused = (f: () => unknown) => {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ValidationError);
  expect((err as ValidationError).code).toBe('MP_VALIDATION');
  expect((err as Error).message).toContain('.value');
};

describe('a Value where a number is wanted', () => {
  it.each([
    ['Value', () => new Value('i', 2) as any],
    ['RawValue', () => new RawValue('d', 2.5) as any],
    ['bigint Value', () => new Value('q', 2n) as any],
  ])('a %s in a comparison or arithmetic throws ValidationError naming .value', (_, make) => {
    const v = make();
    refused(() => v < 3);
    refused(() => v >= 1);
    refused(() => v * 2);
    refused(() => +v);
    refused(() => Math.max(v, 1));
    refused(() => Number(v));
  });

  it('as a string it is still its repr', () => {
    const v = new Value('i', 2) as any;
    expect(String(v)).toBe("<Value('i', 2)>");
    expect(`${v}`).toBe("<Value('i', 2)>");
    expect(`n: ${new RawValue('i', 3)}`).toBe("n: <RawValue('i', 3)>");
    // biome-ignore lint/style/useTemplate: the + of a string and a Value is what is checked
    expect('x' + v).toBe("x<Value('i', 2)>");
    expect(JSON.stringify({ v })).toBe('{"v":2}');
    expect(v.value < 3).toBe(true);
  });
});
