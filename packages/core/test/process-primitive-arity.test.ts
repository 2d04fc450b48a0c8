// getContext('process')'s factories refuse one argument too many with ValidationError, as the thread
// context's classes do (`new Lock(1)`): JavaScript dropped it, so `ctx.Lock(1)` made a Lock and
// `ctx.RawValue('i', 0, { lock: true })` a value without a lock. Their proxies' methods refuse extra
// arguments too (ipc's manager-extra-arguments.test.ts); every valid form still works, with or without `new`.
import { getContext, ValidationError } from '@multiproc/core';
import { describe, expect, it } from 'vitest';

type Loose = { (...args: unknown[]): unknown; new (...args: unknown[]): unknown };
const processCtx = getContext('process') as unknown as Record<string, Loose>;
const threadCtx = getContext('thread') as unknown as Record<string, Loose>;

// [factory, one argument too many, its valid forms]
const FACTORIES: [string, unknown[], unknown[][]][] = [
  ['Lock', [1], [[]]],
  ['RLock', [1], [[]]],
  ['Event', [true], [[]]],
  ['Semaphore', [1, 2], [[], [2]]],
  ['BoundedSemaphore', [1, 2], [[], [2]]],
  ['Condition', [null, 1], [[], [null]]],
  ['Barrier', [2, {}, 1], [[2], [2, null], [2, { timeout: 1000 }]]],
  ['Value', ['i', 1, {}, 1], [['i'], ['i', 1], ['i', 1, { lock: false }], ['i', 1, null]]],
  [
    'Array',
    ['i', 2, {}, 1],
    [
      ['i', 2],
      ['i', [1, 2], { lock: true }],
    ],
  ],
  ['SharedArray', ['i', 2, {}, 1], [['i', 2]]],
  ['RawValue', ['i', 0, { lock: true }], [['i'], ['i', 3]]],
  ['RawArray', ['i', 2, { lock: true }], [['i', 2]]],
];

function thrown(call: () => unknown): unknown {
  try {
    call();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe("getContext('process') factories given an argument too many", () => {
  it.each(FACTORIES)(
    '%s(%j) throws ValidationError, as the thread form does',
    { timeout: 30_000 },
    async (name, extra, valid) => {
      for (const call of [() => processCtx[name]!(...extra), () => new processCtx[name]!(...extra)]) {
        const err = thrown(call);
        expect(err).toBeInstanceOf(ValidationError);
        expect((err as Error).message).toContain(`${name === 'SharedArray' ? 'Array' : name}() takes`);
      }
      // The thread context's class refuses the same call.
      const Thread = threadCtx[name]!;
      expect(thrown(() => new Thread(...extra))).toBeInstanceOf(ValidationError);
      for (const args of valid) {
        expect(processCtx[name]!(...args)).toBeInstanceOf(processCtx[name]!);
        expect(new processCtx[name]!(...args)).toBeInstanceOf(processCtx[name]!);
      }
      const v = processCtx.Value!('i', 5) as { get(): Promise<number> };
      expect(await v.get()).toBe(5);
    },
  );
});
