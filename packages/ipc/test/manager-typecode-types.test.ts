// A manager's Value and Array are typed by their typecode, as the thread-side Value of
// @multiproc/shared is (one mapping, shared's TypecodeValue): 'q'/'Q' hold bigint, with or without
// an initial value, and a bigint for a number typecode does not compile (it throws at run time).
import { type ArrayProxy, ValidationError, type ValueProxy } from '@multiproc/ipc';
import type { Typecode, TypecodeValue } from '@multiproc/shared';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { managerTestKit } from './manager-kit.js';

const { manager } = managerTestKit();

describe('manager Value and Array types follow the typecode', () => {
  it("'q'/'Q' are bigint proxies (typed and at run time), also without an initial value", async () => {
    const m = await manager();
    const q = m.Value('q');
    expectTypeOf(q).toEqualTypeOf<ValueProxy<bigint>>();
    expectTypeOf(q.get).returns.resolves.toEqualTypeOf<bigint>();
    expect(typeof (await q.get())).toBe('bigint');
    const big = m.Value('Q', 5n);
    expectTypeOf(big).toEqualTypeOf<ValueProxy<bigint>>();
    await big.set((await big.get()) + 1n);
    expect(await big.get()).toBe(6n);
    const arr = m.Array('q', 2);
    expectTypeOf(arr).toEqualTypeOf<ArrayProxy<bigint>>();
    expect(typeof (await arr.get(0))).toBe('bigint');
    expectTypeOf(m.Array('Q', [1n, 2n])).toEqualTypeOf<ArrayProxy<bigint>>();
  });

  it('the other typecodes are number proxies', async () => {
    const m = await manager();
    expectTypeOf(m.Value('d', 1.5)).toEqualTypeOf<ValueProxy<number>>();
    expectTypeOf(m.Value('i')).toEqualTypeOf<ValueProxy<number>>();
    expectTypeOf(m.Array('l', [1, 2])).toEqualTypeOf<ArrayProxy<number>>();
    expect(typeof (await m.Value('i').get())).toBe('number');
    // A typecode known only at run time: either.
    const code = 'q' as Typecode;
    expectTypeOf(m.Value(code)).toEqualTypeOf<ValueProxy<TypecodeValue<Typecode>>>();
  });

  it('a bigint for a number typecode (or a number for q/Q) is a compile error and a ValidationError', async () => {
    const m = await manager();
    // @ts-expect-error: 'i' holds a number
    expect(() => m.Value('i', 1n)).toThrow(ValidationError);
    // @ts-expect-error: 'q' holds a bigint
    expect(() => m.Value('q', 1)).toThrow(ValidationError);
    // @ts-expect-error: 'd' holds numbers
    expect(() => m.Array('d', [1n])).toThrow(ValidationError);
  });
});
