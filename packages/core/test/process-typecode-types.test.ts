// getContext('process')'s Value, Array, RawValue and RawArray are typed by their typecode, as the
// thread context's are (one mapping, shared's TypecodeValue): 'q'/'Q' hold bigint. A call on a
// `Context` that may be either kind still compiles.
import { type Context, getContext } from '@multiproc/core';
import type { ArrayProxy, SynchronizedArrayProxy, SynchronizedValueProxy, ValueProxy } from '@multiproc/ipc';
import { type SynchronizedValue, ValidationError } from '@multiproc/shared';
import { describe, expect, expectTypeOf, it } from 'vitest';

const ctx = getContext('process');

describe("getContext('process') shared values follow the typecode", () => {
  it("'q'/'Q' are bigint proxies, typed and at run time", { timeout: 10_000 }, async () => {
    const v = ctx.Value('q', 5n);
    expectTypeOf(v).toEqualTypeOf<SynchronizedValueProxy<bigint>>();
    expect(await v.get()).toBe(5n);
    const a = new ctx.Array('Q', 2);
    expectTypeOf(a).toEqualTypeOf<SynchronizedArrayProxy<bigint>>();
    expect(typeof (await a.get(0))).toBe('bigint');
    const raw = ctx.RawValue('q');
    expectTypeOf(raw).toEqualTypeOf<ValueProxy<bigint>>();
    expect(typeof (await raw.get())).toBe('bigint');
    const rawArray = ctx.RawArray('q', [1n, 2n]);
    expectTypeOf(rawArray).toEqualTypeOf<ArrayProxy<bigint>>();
    expect(await rawArray.get(1)).toBe(2n);
    expectTypeOf(ctx.SharedArray('q', 1)).toEqualTypeOf<SynchronizedArrayProxy<bigint>>();
  });

  it('the other typecodes are number proxies', { timeout: 10_000 }, async () => {
    expectTypeOf(ctx.Value('d', 1.5)).toEqualTypeOf<SynchronizedValueProxy<number>>();
    expectTypeOf(ctx.RawArray('i', 2)).toEqualTypeOf<ArrayProxy<number>>();
    expect(await ctx.RawValue('i', 3).get()).toBe(3);
  });

  it('a bigint for a number typecode (or a number for q/Q) is a compile error and a ValidationError', () => {
    // @ts-expect-error: 'd' holds a number
    expect(() => ctx.Value('d', 1n)).toThrow(ValidationError);
    // @ts-expect-error: 'q' holds a bigint
    expect(() => ctx.RawValue('q', 1)).toThrow(ValidationError);
    // @ts-expect-error: 'i' holds numbers
    expect(() => ctx.Array('i', [1n])).toThrow(ValidationError);
  });

  it('a Context of either kind: the call compiles, typed as either result', () => {
    const either = getContext('thread') as Context;
    const v = either.Value('q', 1n);
    expectTypeOf(v).toEqualTypeOf<SynchronizedValue<'q'> | SynchronizedValueProxy<bigint>>();
    expect((v as SynchronizedValue<'q'>).value).toBe(1n);
  });
});
