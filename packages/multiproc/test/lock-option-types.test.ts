// `Value(typecode, v, { lock: false })` and `Array(typecode, n, { lock: false })` return the raw
// form, as Python returns a raw value for `lock=False`, and their static types say so in every
// spelling: the default export, `getContext('thread')` and `getContext('process')` (whose
// `{ lock: false }` was typed as the synchronized proxy), called or with `new`, and on a `Context`
// that may be either kind. Type checks run in the package's `typecheck` task; each test also makes
// the value, to show it is what the type says.

import { ArrayProxy, SynchronizedArrayProxy, SynchronizedValueProxy, ValueProxy } from '@multiproc/ipc';
import mp, { type Context, getContext, type RawArray, type RawValue } from '@multiproc/multiproc';
import { SynchronizedArray, SynchronizedValue } from '@multiproc/shared';
import { describe, expect, expectTypeOf, it } from 'vitest';

/** A lock option known only at run time. */
const flag = process.env.MULTIPROC_NO_LOCK === '1';

describe('the lock option decides the type of Value() and Array()', () => {
  it('the default export and the thread context: RawValue / RawArray for { lock: false }', () => {
    const ctx = getContext('thread');
    const raw = mp.Value('i', 1, { lock: false });
    expectTypeOf(raw).toEqualTypeOf<RawValue<'i'>>();
    expect(raw).not.toBeInstanceOf(SynchronizedValue);
    expect('getLock' in raw).toBe(false);
    const rawNew = new ctx.Value('q', 2n, { lock: false });
    expectTypeOf(rawNew).toEqualTypeOf<RawValue<'q'>>();
    expect(rawNew.value).toBe(2n);
    const arr = ctx.Array('d', 2, { lock: false });
    expectTypeOf(arr).toEqualTypeOf<RawArray<'d'>>();
    expect(arr).not.toBeInstanceOf(SynchronizedArray);
    expectTypeOf(mp.SharedArray('i', [1], { lock: false })).toEqualTypeOf<RawArray<'i'>>();
    const locked = ctx.Value('i', 0, { lock: true });
    expectTypeOf(locked).toEqualTypeOf<SynchronizedValue<'i'>>();
    expect(locked).toBeInstanceOf(SynchronizedValue);
    expectTypeOf(mp.Value('i', 0, { lock: mp.RLock() })).toEqualTypeOf<SynchronizedValue<'i'>>();
    expectTypeOf(mp.Value('i')).toEqualTypeOf<SynchronizedValue<'i'>>();
    // A lock not known until run time: either form.
    expectTypeOf(mp.Value('i', 0, { lock: flag })).toEqualTypeOf<RawValue<'i'> | SynchronizedValue<'i'>>();
    // @ts-expect-error: the option is `lock`
    expect(() => mp.Value('i', 0, { lok: false })).toThrow();
  });

  it("getContext('process'): ValueProxy / ArrayProxy for { lock: false }", { timeout: 10_000 }, async () => {
    const ctx = getContext('process');
    const raw = ctx.Value('i', 3, { lock: false });
    expectTypeOf(raw).toEqualTypeOf<ValueProxy<number>>();
    expect(raw).toBeInstanceOf(ValueProxy);
    expect(raw).not.toBeInstanceOf(SynchronizedValueProxy);
    expect(await raw.get()).toBe(3);
    const arr = new ctx.Array('q', [1n, 2n], { lock: false });
    expectTypeOf(arr).toEqualTypeOf<ArrayProxy<bigint>>();
    expect(arr).toBeInstanceOf(ArrayProxy);
    expect(arr).not.toBeInstanceOf(SynchronizedArrayProxy);
    const locked = ctx.Value('d', 1.5);
    expectTypeOf(locked).toEqualTypeOf<SynchronizedValueProxy<number>>();
    expect(locked).toBeInstanceOf(SynchronizedValueProxy);
    expectTypeOf(ctx.Array('i', 1, { lock: ctx.Lock() })).toEqualTypeOf<SynchronizedArrayProxy<number>>();
    expectTypeOf(ctx.Value('i', 0, { lock: flag })).toEqualTypeOf<
      ValueProxy<number> | SynchronizedValueProxy<number>
    >();
    // @ts-expect-error: a thread Lock cannot guard a value other processes use
    expect(() => ctx.Value('i', 0, { lock: new mp.Lock() })).toThrow();
  });

  it('a Context of either kind: the call compiles, typed as either raw form', () => {
    const either = getContext('thread') as Context;
    const raw = either.Value('i', 1, { lock: false });
    expectTypeOf(raw).toEqualTypeOf<RawValue<'i'> | ValueProxy<number>>();
    expect(raw).not.toBeInstanceOf(SynchronizedValue);
    expectTypeOf(new either.Array('i', 1, { lock: false })).toEqualTypeOf<
      RawArray<'i'> | ArrayProxy<number>
    >();
  });
});
