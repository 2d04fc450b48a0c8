/** Bad input to `Value`, `SharedArray` and `RawArray`: typecodes, ranges, bigint vs number. */
import { inspect } from 'node:util';
import { RawArray, SharedArray, Value } from '@multiproc/shared';
import { arr, arrWorks } from './helpers.js';
import { assert, type Case } from './types.js';

export const sharedMemoryCases: Case[] = [
  {
    api: "new Value('x', 0)",
    input: 'unknown typecode',
    expect: 'ValidationError',
    says: 'b B h H i I l L q Q f d',
    run: () => new Value('x' as never, 0 as never),
  },
  {
    api: "new Value('i', 2 ** 31)",
    input: 'out of range for int32',
    expect: 'ValidationError',
    says: '2147483647',
    run: () => new Value('i', 2 ** 31),
  },
  {
    api: "new Value('B', -1)",
    input: 'negative for an unsigned byte',
    expect: 'ValidationError',
    says: '0 to 255',
    run: () => new Value('B', -1),
  },
  {
    api: "new Value('i', 1.5)",
    input: 'a fraction for an integer typecode',
    expect: 'ValidationError',
    says: 'integer',
    run: () => new Value('i', 1.5),
  },
  {
    api: "new Value('q', 1)",
    input: 'a number where a bigint is expected',
    expect: 'ValidationError',
    says: 'bigint',
    run: () => new Value('q', 1 as never),
  },
  {
    api: "new Value('i', 1n)",
    input: 'a bigint where a number is expected',
    expect: 'ValidationError',
    says: 'integer',
    run: () => new Value('i', 1n as never),
  },
  {
    api: "v.value = 'x'",
    input: 'a string into a double',
    expect: 'ValidationError',
    says: 'number',
    setup: () => new Value('d', 1),
    run: (v) => {
      v.value = 'x';
    },
    next: (v) => {
      v.value = 2;
      assert(v.value === 2, 'value set');
    },
  },
  {
    api: 'v.get_lock()',
    input: "Python's spelling",
    expect: 'ValidationError',
    says: 'getLock()',
    setup: () => new Value('i', 0),
    run: (v) => v.get_lock(),
    next: (v) => v.getLock(),
  },
  {
    api: 'console.log(value)',
    input: 'printing a Value',
    expect: 'works',
    setup: () => new Value('i', 5),
    run: (v) => inspect(v),
    check: (s: string) => assert(s === "Value('i', 5)", `shows ${s}`),
  },
  {
    api: 'console.log(array)',
    input: 'printing a SharedArray',
    expect: 'works',
    setup: arr,
    run: (a) => inspect(a),
    check: (s: string) => assert(s === "SharedArray('i', [ 1, 2, 3 ])", `shows ${s}`),
  },
  {
    api: "new SharedArray('i', -1)",
    input: 'a negative length',
    expect: 'ValidationError',
    says: 'non-negative',
    run: () => new SharedArray('i', -1),
  },
  {
    api: "new SharedArray('i', 2.5)",
    input: 'a fractional length',
    expect: 'ValidationError',
    says: 'integer',
    run: () => new SharedArray('i', 2.5),
  },
  {
    api: "new RawArray('b', [1, 200])",
    input: 'an item out of range',
    expect: 'ValidationError',
    says: '-128 to 127',
    run: () => new RawArray('b', [1, 200]),
  },
  {
    api: 'a.get(3)',
    input: 'index = length',
    expect: 'ValidationError',
    says: '-3 to 2',
    setup: arr,
    run: (a) => a.get(3),
    next: arrWorks,
  },
  {
    api: 'a.get(-4)',
    input: 'index below -length',
    expect: 'ValidationError',
    says: '-3 to 2',
    setup: arr,
    run: (a) => a.get(-4),
    next: arrWorks,
  },
  {
    api: 'a.set(0.5, 1)',
    input: 'a fractional index',
    expect: 'ValidationError',
    says: 'must be an integer',
    setup: arr,
    run: (a) => a.set(0.5, 1),
    next: arrWorks,
  },
  {
    api: "a.set(0, 'x')",
    input: 'a string item',
    expect: 'ValidationError',
    says: 'integer',
    setup: arr,
    run: (a) => a.set(0, 'x'),
    next: arrWorks,
  },
  {
    api: "new RawArray('Q', [1])",
    input: 'a number where a bigint is expected',
    expect: 'ValidationError',
    says: 'bigint',
    run: () => new RawArray('Q', [1 as never]),
  },
  {
    api: 'a[0] = 9',
    input: 'bracket assignment (Python style)',
    expect: 'works',
    setup: arr,
    run: (a) => {
      a[0] = 9;
      return a.get(0);
    },
    check: (v) => assert(v === 9, 'a[0] = 9 reached the shared memory'),
  },
  {
    api: 'a[5] = 1',
    input: 'bracket assignment out of range',
    expect: 'ValidationError',
    says: 'out of range',
    setup: arr,
    run: (a) => {
      a[5] = 1;
    },
    next: arrWorks,
  },
  {
    api: 'a[1.5] = 9',
    input: 'bracket assignment at a fractional index (no local property)',
    expect: 'ValidationError',
    says: 'integer',
    setup: arr,
    run: (a) => {
      a[1.5] = 9;
    },
    next: (a) => {
      assert(!Object.hasOwn(a, '1.5'), 'no local property was made');
      arrWorks(a);
    },
  },
  {
    api: 'a.slice(1.5)',
    input: 'a fractional slice bound',
    expect: 'ValidationError',
    says: 'integer',
    setup: arr,
    run: (a) => a.slice(1.5),
    next: arrWorks,
  },
  {
    api: 'a.setSlice(0, 5)',
    input: 'values that are not iterable',
    expect: 'ValidationError',
    says: 'iterable',
    setup: arr,
    run: (a) => a.setSlice(0, 5 as never),
    next: arrWorks,
  },
];
