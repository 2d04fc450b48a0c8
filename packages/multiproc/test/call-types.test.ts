// The Python spelling (`mp.Queue()`, `mp.Value('i', 0)`, `ctx.Process({...})`) keeps the generics and
// overloads of the `new` forms. The type checks here run in the package's `typecheck` task (this
// file is in its tsconfig); each test also runs the call to show the value is what the type says.
import mp, {
  getContext,
  type JoinableQueue,
  type Queue,
  type RawArray,
  type RawValue,
  ValidationError,
} from '@multiproc/multiproc';
import type { SynchronizedArray, SynchronizedValue } from '@multiproc/shared';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { tasks } from './fixtures/tasks.mjs';

describe('the call form of a generic class keeps its type arguments', () => {
  it('mp.Queue<number>() is a Queue<number>, and put() checks the item', () => {
    const q = mp.Queue<number>();
    expectTypeOf(q).toEqualTypeOf<Queue<number>>();
    expectTypeOf(mp.JoinableQueue<string>()).toEqualTypeOf<JoinableQueue<string>>();
    const sq = mp.SimpleQueue<number>();
    expectTypeOf(sq.get).returns.resolves.toEqualTypeOf<number>();
    sq.close();
    // @ts-expect-error: a string is not a number
    q.putNowait('x');
    expect(q).toBeInstanceOf(mp.Queue);
    q.close();
  });

  it('mp.Queue(3) and mp.JoinableQueue(3) take maxsize as a number, as new Queue(3) and Python do', () => {
    const q = mp.Queue<number>(3);
    const jq = getContext('thread').JoinableQueue(2);
    expectTypeOf(q).toEqualTypeOf<Queue<number>>();
    for (const n of [1, 2, 3]) q.putNowait(n);
    expect(q.full()).toBe(true);
    jq.putNowait('a');
    jq.putNowait('b');
    expect(jq.full()).toBe(true);
    q.close();
    jq.close();
  });

  it("mp.Value('q', 0n).value is a bigint, and { lock: false } gives the raw form", () => {
    const big = mp.Value('q', 0n);
    expectTypeOf(big).toEqualTypeOf<SynchronizedValue<'q'>>();
    expectTypeOf(big.value).toEqualTypeOf<bigint>();
    expectTypeOf(mp.Value('i', 1, { lock: false })).toEqualTypeOf<RawValue<'i'>>();
    expectTypeOf(mp.RawValue('d', 1.5).value).toEqualTypeOf<number>();
    // @ts-expect-error: 'q' holds a bigint
    expect(() => mp.Value('q', 1)).toThrow(ValidationError);
    expect(big.value).toBe(0n);
  });

  it('mp.SharedArray() and a context Array() keep the typecode and overloads', () => {
    const ctx = getContext('thread');
    expectTypeOf(mp.SharedArray('Q', 2)).toEqualTypeOf<SynchronizedArray<'Q'>>();
    expectTypeOf(ctx.Array('i', [1, 2], { lock: false })).toEqualTypeOf<RawArray<'i'>>();
    expectTypeOf(mp.RawArray('d', 3).get(0)).toEqualTypeOf<number>();
    expectTypeOf(ctx.Queue<number>()).toEqualTypeOf<Queue<number>>();
    expect(ctx.Array('i', [1, 2]).get(1)).toBe(2);
  });

  it('mp.Process({ target, args }) checks args against the target, as new Process does', () => {
    const p = mp.Process({ target: tasks.square, args: [3] });
    // @ts-expect-error: square takes a number
    mp.Process({ target: tasks.square, args: ['x'] });
    // @ts-expect-error: the same through a context object
    getContext('thread').Process({ target: tasks.square, args: ['x'] });
    expect(p).toBeInstanceOf(mp.Process);
  });
});
